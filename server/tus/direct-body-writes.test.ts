// The tus write path without the web stream: a claimable body is taken once
// and only while unread, anything else reading it still gets the bytes, and a
// real @tus/server behind serveTus writes a PATCH from the Node request through
// the byte limit alone, keeping the limit (413) and the stored bytes exact, and
// counting them towards the young collection of upload buffers.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { Server } from '@tus/server';
import { StreamLimiter } from '@tus/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimableBody, claimSource } from './claimable-body.ts';
import { writeBodiesDirectly } from './direct-body-writes.ts';
import { serveTus } from './serve-tus.ts';
import { COLLECT_EVERY_BYTES, uploadBufferCollections } from './upload-buffer-collector.ts';
import { UploadFileStore } from './upload-file-store.ts';

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  const reader = stream.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) chunks.push(next.value);
  return Buffer.concat(chunks);
}

describe('claimableBody', () => {
  it('leaves its source untouched until claimed, and gives it out once', async () => {
    const source = new PassThrough();
    const body = claimableBody(source);
    source.write('id,name\n');
    await new Promise((r) => setImmediate(r));
    // Nothing reads the source on the placeholder's behalf: its bytes wait for the claimer.
    expect(source.listenerCount('data')).toBe(0);
    expect(source.readableLength).toBe(8);
    expect(claimSource(body)).toBe(source);
    expect(claimSource(body)).toBeUndefined();
  });

  it('is read like the body itself by anyone else, and can no longer be claimed then', async () => {
    const source = new PassThrough();
    const body = claimableBody(source);
    source.end('id,name\n1,Ada\n');
    expect((await readAll(body)).toString()).toBe('id,name\n1,Ada\n');
    expect(claimSource(body)).toBeUndefined();
  });

  it('destroys its source when cancelled unread', async () => {
    const source = new PassThrough();
    await claimableBody(source).cancel();
    expect(source.destroyed).toBe(true);
  });

  it('claims nothing from another stream', () => {
    expect(claimSource(new ReadableStream())).toBeUndefined();
    expect(claimSource(null)).toBeUndefined();
  });
});

/** The request being served (one at a time here). */
let current: http.IncomingMessage | undefined;

/** Node's record of the streams a readable is piped into (ReadableState.pipes). */
function pipedInto(source: Readable): unknown[] {
  return (source as unknown as { _readableState: { pipes: unknown[] } })._readableState.pipes;
}

/** A real file store that notes what each write was handed: the byte limit fed by the request itself, or else. */
class RecordingStore extends UploadFileStore {
  readonly handed: string[] = [];
  override write(...args: Parameters<UploadFileStore['write']>): Promise<number> {
    const [readable] = args;
    const direct = readable instanceof StreamLimiter && current !== undefined && pipedInto(current).includes(readable);
    this.handed.push(direct ? 'request -> byte limit' : 'another stream');
    return super.write(...args);
  }
}

describe('writeBodiesDirectly', () => {
  let directory: string;
  let store: RecordingStore;
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'csvup-direct-writes-'));
    store = new RecordingStore({ directory });
    const tus = new Server({ path: '/files', datastore: store });
    writeBodiesDirectly(tus);
    server = http.createServer((req, res) => {
      current = req;
      void serveTus(tus, req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await rm(directory, { recursive: true, force: true });
  });

  async function create(size: number): Promise<string> {
    const response = await fetch(`${base}/files`, {
      method: 'POST',
      headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': String(size) },
    });
    expect(response.status).toBe(201);
    return new URL(response.headers.get('location') as string).pathname;
  }

  /** A PATCH sent with chunked transfer encoding: no Content-Length to refuse it before the write. */
  function patch(path: string, offset: number, body: Buffer): Promise<{ status: number; offset?: string }> {
    return new Promise((resolve, reject) => {
      const request = http.request(`${base}${path}`, {
        method: 'PATCH',
        headers: {
          'Tus-Resumable': '1.0.0',
          'Upload-Offset': String(offset),
          'Content-Type': 'application/offset+octet-stream',
          'Transfer-Encoding': 'chunked',
        },
      });
      request.on('response', (response) => {
        response.resume();
        resolve({ status: response.statusCode ?? 0, offset: response.headers['upload-offset'] as string | undefined });
      });
      request.on('error', reject);
      for (let start = 0; start < body.length; start += 64 * 1024)
        request.write(body.subarray(start, start + 64 * 1024));
      request.end();
    });
  }

  it('writes a PATCH from the Node request through the byte limit, byte for byte', async () => {
    const bytes = randomBytes(1024 * 1024 + 7);
    const path = await create(bytes.length);
    store.handed.length = 0;
    const first = await patch(path, 0, bytes.subarray(0, 300_000));
    expect(first).toEqual({ status: 204, offset: '300000' });
    const second = await patch(path, 300_000, bytes.subarray(300_000));
    expect(second).toEqual({ status: 204, offset: String(bytes.length) });
    expect(store.handed).toEqual(['request -> byte limit', 'request -> byte limit']);
    expect((await readFile(join(directory, path.split('/').at(-1) as string))).equals(bytes)).toBe(true);
  });

  it('counts the content it writes towards the young collection of upload buffers', async () => {
    const size = 2 * COLLECT_EVERY_BYTES + 1;
    const path = await create(size);
    const before = uploadBufferCollections();
    expect(await patch(path, 0, randomBytes(size))).toEqual({ status: 204, offset: String(size) });
    expect(uploadBufferCollections() - before).toBeGreaterThanOrEqual(2);
  });

  it('refuses a body longer than the upload with 413 and stores nothing past its length', async () => {
    const size = 100_000;
    const path = await create(size);
    const answer = await patch(path, 0, randomBytes(size + 200_000));
    expect(answer.status).toBe(413);
    const stored = await readFile(join(directory, path.split('/').at(-1) as string));
    expect(stored.length).toBeLessThanOrEqual(size);
  });
});
