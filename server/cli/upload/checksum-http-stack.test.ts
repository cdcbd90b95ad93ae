import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChecksumHttpStack, type ClientChecksumAlgorithm, digestOfBody } from './checksum-http-stack.ts';

// Digests of "hello world", worked out independently (`printf 'hello world' | openssl dgst -sha256 -binary | base64`).
const HELLO_WORLD: Record<ClientChecksumAlgorithm, string> = {
  sha256: 'uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=',
  sha1: 'Kq5sNclPz7QV2+lfQIuc6R7oRu0=',
  md5: 'XrY7u+Ae7tCTyyK7j1rNww==',
};

interface Received {
  method: string;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('ChecksumHttpStack', () => {
  let server: Server;
  let url: string;
  let work: string;
  const received: Received[] = [];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'csvup-checksum-stack-'));
    // A real loopback server that records what arrives, so the header is checked on the wire.
    server = createServer((request, response) => {
      const pieces: Buffer[] = [];
      request.on('data', (piece: Buffer) => pieces.push(piece));
      request.on('end', () => {
        received.push({
          method: request.method ?? '',
          headers: request.headers,
          body: Buffer.concat(pieces).toString(),
        });
        response.writeHead(204).end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/files/x`;
  });
  afterAll(async () => {
    server?.close();
    await rm(work, { recursive: true, force: true });
  });

  it.each(Object.entries(HELLO_WORLD))('sends "%s <base64>" over a Buffer chunk', async (algorithm, digest) => {
    const request = new ChecksumHttpStack(algorithm as ClientChecksumAlgorithm).createRequest('PATCH', url);
    const response = await request.send(Buffer.from('hello world'));
    expect(response.getStatus()).toBe(204);
    const last = received.at(-1);
    expect(last?.headers['upload-checksum']).toBe(`${algorithm} ${digest}`);
    expect(last?.body).toBe('hello world');
  });

  it('hashes exactly the byte range of a file chunk, the way tus-js-client slices a file', async () => {
    const file = join(work, 'chunked.txt');
    await writeFile(file, '--hello world++');
    // tus-js-client's FileSource: a stream over [start, end] (inclusive) with its size set.
    const chunk = Object.assign(createReadStream(file, { start: 2, end: 12 }), { size: 11 });
    const response = await new ChecksumHttpStack('sha256').createRequest('PATCH', url).send(chunk);
    expect(response.getStatus()).toBe(204);
    expect(received.at(-1)).toMatchObject({
      headers: { 'upload-checksum': `sha256 ${HELLO_WORLD.sha256}`, 'content-length': '11' },
      body: 'hello world',
    });
  });

  it('also covers a POST standing in for a PATCH, and leaves other requests alone', async () => {
    const stack = new ChecksumHttpStack('sha1');
    const override = stack.createRequest('POST', url);
    override.setHeader('X-HTTP-Method-Override', 'PATCH');
    await override.send(Buffer.from('hello world'));
    expect(received.at(-1)?.headers['upload-checksum']).toBe(`sha1 ${HELLO_WORLD.sha1}`);
    for (const method of ['POST', 'HEAD', 'DELETE']) {
      await stack.createRequest(method, url).send(null);
      expect(received.at(-1)).toMatchObject({ method });
      expect(received.at(-1)?.headers['upload-checksum']).toBeUndefined();
    }
  });

  it('sends nothing when aborted while the chunk is being hashed', async () => {
    const before = received.length;
    const request = new ChecksumHttpStack('sha256').createRequest('PATCH', url);
    const sending = request.send(Buffer.from('never sent'));
    await request.abort();
    await expect(sending).rejects.toThrow('request aborted');
    // The next request is the only one the server sees.
    await new ChecksumHttpStack('sha256').createRequest('PATCH', url).send(Buffer.from('hello world'));
    expect(received.slice(before).map((r) => r.body)).toEqual(['hello world']);
  });

  it('hashes an empty body as zero bytes and refuses a body it cannot read twice', async () => {
    expect(await digestOfBody(null, 'md5')).toBe('1B2M2Y8AsgTpgAmY7PhCfg==');
    await expect(digestOfBody('text', 'md5')).rejects.toThrow(/neither a Buffer nor a file stream/);
  });
});
