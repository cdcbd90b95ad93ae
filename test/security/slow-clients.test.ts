// Slow clients cannot hold connections: headers that never finish and bodies
// that stall are cut after the configured timeouts, the bytes a stalled PATCH
// delivered are kept, and a normal upload on another connection carries on.
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUpload, head, patch } from '../support/raw-tus.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from '../support/test-service.ts';

/** Resolves with how long the server took to close the socket. */
function closedAfter(socket: Socket, limitMs: number): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socket still open after ${limitMs} ms`)), limitMs);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
    socket.on('error', () => {});
  });
}

describe.skipIf(databaseUnavailable())(`slow clients (${databaseKind})`, () => {
  let harness: TestService;
  let token: string;
  let port: number;

  beforeAll(async () => {
    harness = await startTestService({
      env: { IDLE_TIMEOUT_MS: '1500', HEADERS_TIMEOUT_MS: '2000', WORKER_CONCURRENCY: '0' },
    });
    token = await harness.tokenFor('zoe');
    port = Number(new URL(harness.baseUrl).port);
  });
  afterAll(() => harness?.stop());

  it('closes a connection whose headers never finish', async () => {
    const socket = connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write('HEAD /files/ HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    // A byte now and then keeps the socket busy but the headers unfinished.
    const drip = setInterval(() => socket.write('X-Slow: a\r\n'), 500);
    try {
      expect(await closedAfter(socket, 8000)).toBeLessThan(8000);
    } finally {
      clearInterval(drip);
    }
  });

  it('cuts a stalled PATCH body, keeps its bytes, and lets other uploads go on', async () => {
    const stalled = await createUpload(harness.baseUrl, token, 1_000_000);
    const path = new URL(stalled.url).pathname;
    const socket = connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const firstBytes = Buffer.alloc(100_000, 0x62);
    socket.write(
      `PATCH ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nTus-Resumable: 1.0.0\r\n` +
        'Upload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: 1000000\r\n\r\n',
    );
    socket.write(firstBytes);
    const closing = closedAfter(socket, 10_000);

    // Meanwhile an ordinary upload runs to completion on its own connection.
    const content = Buffer.from(`id,blob\n1,${randomBytes(200_000).toString('hex')}\n`);
    const normal = await createUpload(harness.baseUrl, token, content.length);
    for (let offset = 0; offset < content.length; offset += 100_000) {
      const response = await patch(normal.url, token, offset, content.subarray(offset, offset + 100_000));
      expect(response.status).toBe(204);
      await new Promise((r) => setTimeout(r, 200));
    }
    const stored = await readFile(harness.fileStore.filePath(normal.url.split('/').pop() as string));
    expect(createHash('sha256').update(stored).digest('hex')).toBe(createHash('sha256').update(content).digest('hex'));

    expect(await closing).toBeGreaterThan(1000);
    let offset = 0;
    for (let i = 0; i < 30 && offset < firstBytes.length; i++) {
      offset = Number((await head(stalled.url, token)).headers['upload-offset']);
      if (offset < firstBytes.length) await new Promise((r) => setTimeout(r, 100));
    }
    expect(offset).toBe(firstBytes.length);
  });
});
