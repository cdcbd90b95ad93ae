// A Node stream as a web stream: the chunks themselves (no copies), flow
// control, and the endings @tus/server tells apart (end, cut off, error, cancel).
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { toWebReadable } from './web-readable.ts';

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  const reader = stream.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) chunks.push(next.value);
  return chunks;
}

describe('toWebReadable', () => {
  it('hands on the chunks the source gave, not copies, and closes at the end', async () => {
    const source = new PassThrough();
    const first = Buffer.from('id,name\n');
    const second = Buffer.from('1,Ada\n');
    const stream = toWebReadable(source);
    source.write(first);
    source.end(second);
    const chunks = await readAll(stream);
    expect(chunks).toHaveLength(2);
    expect(chunks[0]).toBe(first);
    expect(chunks[1]).toBe(second);
  });

  it('pauses the source while its queue is full and resumes it when read', async () => {
    const source = new PassThrough({ highWaterMark: 1024 });
    const stream = toWebReadable(source);
    const reader = stream.getReader();
    for (let i = 0; i < 3; i++) source.write(Buffer.alloc(1024, i));
    await new Promise((r) => setImmediate(r));
    expect(source.isPaused()).toBe(true);
    // Two chunks read: one (the high-water mark) still queued, so the source stays paused.
    for (const expected of [0, 1]) expect((await reader.read()).value?.[0]).toBe(expected);
    await new Promise((r) => setImmediate(r));
    expect(source.isPaused()).toBe(true);
    expect((await reader.read()).value?.[0]).toBe(2);
    await new Promise((r) => setImmediate(r));
    expect(source.isPaused()).toBe(false);
    reader.releaseLock();
    source.end(Buffer.alloc(1024, 3));
    expect((await readAll(stream)).map((chunk) => chunk[0])).toEqual([3]);
  });

  it('errors with an AbortError when the body is cut off before its end', async () => {
    const source = new PassThrough();
    const stream = toWebReadable(source);
    source.write(Buffer.from('partial'));
    source.destroy();
    const failure = await readAll(stream).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).name).toBe('AbortError');
  });

  it("passes the source's own error on", async () => {
    const source = new PassThrough();
    const stream = toWebReadable(source);
    source.destroy(new Error('socket hang up'));
    await expect(readAll(stream)).rejects.toThrow('socket hang up');
  });

  it('destroys the source when the stream is cancelled', async () => {
    const source = new PassThrough();
    const stream = toWebReadable(source);
    await stream.cancel(new Error('no longer wanted'));
    expect(source.destroyed).toBe(true);
  });

  it('is an empty, finished stream for a source that already ended', async () => {
    const source = Readable.from([]);
    for await (const _ of source);
    expect(await readAll(toWebReadable(source))).toEqual([]);
  });

  it('carries a real HTTP request body byte for byte', async () => {
    const body = randomBytes(3 * 1024 * 1024 + 17);
    const server = http.createServer(async (request, response) => {
      const hash = createHash('sha256');
      for await (const chunk of Readable.fromWeb(toWebReadable(request) as never)) hash.update(chunk as Buffer);
      response.end(hash.digest('hex'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const answer = await fetch(`http://127.0.0.1:${port}/`, { method: 'PATCH', body });
      expect(await answer.text()).toBe(createHash('sha256').update(body).digest('hex'));
    } finally {
      server.close();
    }
  });
});
