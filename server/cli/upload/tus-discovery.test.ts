import { once } from 'node:events';
import { createServer, type OutgoingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceError } from './service-api.ts';
import { discoverChecksumAlgorithm, pickChecksumAlgorithm } from './tus-discovery.ts';

describe('pickChecksumAlgorithm', () => {
  it.each([
    ['creation,checksum', 'sha1,sha256,md5,crc32', 'sha256'],
    ['creation, Checksum ,termination', 'md5, SHA1', 'sha1'],
    ['checksum', 'crc32,md5', 'md5'],
    ['checksum', 'crc32', null],
    ['checksum', null, null],
    ['creation,checksum-trailer', 'sha256', null],
    [null, 'sha256', null],
  ])('Tus-Extension %j, Tus-Checksum-Algorithm %j: %j', (extensions, algorithms, expected) => {
    expect(pickChecksumAlgorithm(extensions, algorithms)).toBe(expected);
  });
});

describe('discoverChecksumAlgorithm', () => {
  let server: Server;
  let base: string;
  const answers = new Map<string, [number, OutgoingHttpHeaders]>([
    ['/full/', [204, { 'Tus-Extension': 'creation,checksum', 'Tus-Checksum-Algorithm': 'sha1,sha256,md5,crc32' }]],
    ['/old/', [204, { 'Tus-Extension': 'creation,termination' }]],
    ['/refused/', [405, {}]],
  ]);
  const seen: Array<{ method?: string; authorization?: string }> = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push({ method: request.method, authorization: request.headers.authorization });
      const [status, headers] = answers.get(request.url ?? '') ?? [404, {}];
      response.writeHead(status, headers).end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => void server?.close());

  it('asks with an authenticated OPTIONS and takes the strongest shared algorithm', async () => {
    expect(await discoverChecksumAlgorithm(`${base}/full/`, 't0k')).toBe('sha256');
    expect(seen.at(-1)).toEqual({ method: 'OPTIONS', authorization: 'Bearer t0k' });
  });

  it('means no checksums for a server without the extension or refusing OPTIONS', async () => {
    expect(await discoverChecksumAlgorithm(`${base}/old/`, 't0k')).toBeNull();
    expect(await discoverChecksumAlgorithm(`${base}/refused/`, 't0k')).toBeNull();
  });

  it('reports an unreachable server like every other call', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const address = closed.address();
    closed.close();
    await once(closed, 'close');
    const port = typeof address === 'object' && address ? address.port : 0;
    const failure = discoverChecksumAlgorithm(`http://127.0.0.1:${port}/files/`, 't0k');
    await expect(failure).rejects.toBeInstanceOf(ServiceError);
    await expect(failure).rejects.toThrow(/cannot reach .*ECONNREFUSED/);
  });
});
