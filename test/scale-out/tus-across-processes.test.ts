// One upload served by two API processes on one PostgreSQL and one shared
// upload directory: PATCHes alternating between them, two PATCHes racing on
// two processes, a stalled PATCH taken over from the other process, and the
// bounded wait for a lock that is never released (503 + Retry-After).
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { uploadLockKey } from '../../server/tus/postgres-locker.ts';
import { createUpload, head, patch, type RawResponse, rawRequest } from '../support/raw-tus.ts';
import { type Cluster, type ClusterProcess, onProcess, startCluster, TOKEN } from './support/cluster.ts';

const MiB = 1024 * 1024;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function download(url: string): Promise<Buffer> {
  const response = await fetch(url, { headers: { Authorization: `Bearer ${TOKEN}` } });
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

/**
 * A PATCH whose body is sent piece by piece after `headersFirstMs` with headers only; after
 * `sendBytes` the socket stays open without a word (a client whose network died silently).
 */
function slowPatch(
  url: string,
  offset: number,
  data: Buffer,
  options: { sendBytes: number; pieceMs: number; headersFirstMs?: number },
) {
  const request = http.request(url, {
    method: 'PATCH',
    headers: {
      'Tus-Resumable': '1.0.0',
      'Upload-Offset': offset,
      'Content-Type': 'application/offset+octet-stream',
      'Content-Length': data.length,
      Authorization: `Bearer ${TOKEN}`,
    },
  });
  const response = new Promise<RawResponse | Error>((resolve) => {
    request.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' }));
    });
    request.on('error', resolve);
  });
  request.flushHeaders();
  const sent = (async () => {
    await new Promise((r) => setTimeout(r, options.headersFirstMs ?? 0));
    const piece = 256 * 1024;
    for (let at = 0; at < options.sendBytes && !request.destroyed; at += piece) {
      request.write(data.subarray(at, Math.min(at + piece, options.sendBytes)));
      await new Promise((r) => setTimeout(r, options.pieceMs));
    }
    if (options.sendBytes >= data.length) request.end();
  })();
  return { request, response, sent };
}

describe.skipIf(!inject('postgresAvailable'))('tus across two API processes', () => {
  let cluster: Cluster;
  let apiA: ClusterProcess;
  let apiB: ClusterProcess;

  beforeAll(async () => {
    // Longer than the time a holder asked to let go may keep writing (lockDrainTimeout, 3 s).
    // Longer than a holder asked to let go may keep writing (@tus/server's lockDrainTimeout, 3 s here).
    cluster = await startCluster({ TUS_LOCK_TIMEOUT_MS: '5000' });
    [apiA, apiB] = await Promise.all([cluster.startApi('api-a'), cluster.startApi('api-b')]);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('completes byte-identical with chunks sent alternately to each process', async () => {
    const data = randomBytes(32 * MiB);
    const created = await createUpload(apiA.baseUrl, TOKEN, data.length);
    expect(created.status).toBe(201);
    const chunk = 2 * MiB;
    const started = Date.now();
    for (let offset = 0, turn = 0; offset < data.length; offset += chunk, turn += 1) {
      const api = turn % 2 === 0 ? apiA : apiB;
      const response = await patch(onProcess(created.url, api), TOKEN, offset, data.subarray(offset, offset + chunk));
      expect(response.status, `chunk ${turn} on ${api.name}`).toBe(204);
      expect(Number(response.headers['upload-offset'])).toBe(Math.min(offset + chunk, data.length));
    }
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(
      `[scale-out] 32 MiB in 2 MiB chunks alternating over 2 processes: ${(32 / seconds).toFixed(0)} MiB/s\n`,
    );
    for (const api of [apiA, apiB]) {
      const status = await head(onProcess(created.url, api), TOKEN);
      expect(Number(status.headers['upload-offset'])).toBe(data.length);
      expect(sha256(await download(onProcess(created.url, api)))).toBe(sha256(data));
    }
  });

  it('never writes two racing PATCHes of one upload: one at a time, the bytes stay right', async () => {
    const size = 4 * MiB;
    const created = await createUpload(apiA.baseUrl, TOKEN, size);
    // Two clients PATCH offset 0 of the same upload at the same moment, one on each process:
    // both requests are past their offset check before either sends a byte, and then
    // send at different paces (unlocked, the slower one would overwrite the faster one's bytes).
    const racers = [
      { api: apiA, byte: 0x61, pieceMs: 40 },
      { api: apiB, byte: 0x62, pieceMs: 90 },
    ].map(({ api, byte, pieceMs }) =>
      slowPatch(onProcess(created.url, api), 0, Buffer.alloc(size, byte), {
        sendBytes: size,
        pieceMs,
        headersFirstMs: 500,
      }),
    );
    await Promise.all(racers.map((racer) => racer.sent));
    const results = await Promise.all(racers.map((racer) => racer.response));
    const statuses = results.map((result) => (result instanceof Error ? 'cut' : result.status));
    // One was asked to stop and kept what it had; the other then met a moved offset (409).
    expect(statuses.filter((status) => status === 204).length).toBeLessThanOrEqual(1);
    expect(statuses).toContain(409);
    const offset = Number((await head(onProcess(created.url, apiB), TOKEN)).headers['upload-offset']);
    expect(offset).toBeGreaterThan(0);
    // Everything stored came from one writer: the client it belongs to finishes the upload.
    const partial = await readFile(join(cluster.uploadDir, new URL(created.url).pathname.split('/').pop() as string));
    const winner = partial[0] as number;
    expect(partial.subarray(0, offset).every((byte) => byte === winner)).toBe(true);
    if (offset < size) {
      const rest = await patch(onProcess(created.url, apiA), TOKEN, offset, Buffer.alloc(size - offset, winner));
      expect(rest.status).toBe(204);
    }
    const stored = await download(onProcess(created.url, apiA));
    expect(stored.equals(Buffer.alloc(size, winner))).toBe(true);
  });

  it('lets a resumed PATCH on B take over from a stalled PATCH on A within seconds', async () => {
    const data = randomBytes(8 * MiB);
    const created = await createUpload(apiA.baseUrl, TOKEN, data.length);
    // The client sends 3 MiB, then its network dies silently: A's request stays open, holding the lock.
    const stalled = slowPatch(onProcess(created.url, apiA), 0, data, { sendBytes: 3 * MiB, pieceMs: 5 });
    await stalled.sent;
    await new Promise((r) => setTimeout(r, 500));
    // The client's retry goes to B: HEAD for the offset, then PATCH the rest.
    const started = Date.now();
    const status = await head(onProcess(created.url, apiB), TOKEN);
    const takeoverMs = Date.now() - started;
    expect(status.status).toBe(200);
    const offset = Number(status.headers['upload-offset']);
    expect(offset).toBe(3 * MiB);
    expect(takeoverMs).toBeLessThan(4500);
    process.stdout.write(`[scale-out] lock takeover from a stalled PATCH on another process: ${takeoverMs} ms\n`);
    // A's stalled request was ended (keeping its bytes), so a late packet cannot write behind B's back.
    const ended = await Promise.race([stalled.response, new Promise((r) => setTimeout(() => r('still open'), 3000))]);
    expect(ended).not.toBe('still open');
    const rest = await patch(onProcess(created.url, apiB), TOKEN, offset, data.subarray(offset));
    expect(rest.status).toBe(204);
    expect(sha256(await download(onProcess(created.url, apiA)))).toBe(sha256(data));
    stalled.request.destroy();
  });

  it('answers 503 with Retry-After when the lock is not released in time', async () => {
    const created = await createUpload(apiA.baseUrl, TOKEN, 1000);
    const id = new URL(created.url).pathname.split('/').pop() as string;
    // A holder that never answers release requests: a session of our own.
    const holder = new pg.Client({ connectionString: cluster.database.url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1::bigint)', [uploadLockKey(id)]);
      const started = Date.now();
      const response = await rawRequest(onProcess(created.url, apiB), 'HEAD', {
        'Tus-Resumable': '1.0.0',
        Authorization: `Bearer ${TOKEN}`,
      });
      expect(response.status).toBe(503);
      expect(response.headers['retry-after']).toBeDefined();
      expect(Date.now() - started).toBeGreaterThanOrEqual(4900);
      expect(Date.now() - started).toBeLessThan(8000);
    } finally {
      await holder.end();
    }
    // Released, the upload answers again at once.
    expect((await head(onProcess(created.url, apiB), TOKEN)).status).toBe(200);
  });
});
