// GET of a finished upload streams the file back; clients that hang up early,
// over and over, must not take the process down (a known @tus/server 2.4.5 +
// Node 20 crash that UploadFileStore.read avoids).
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRequest } from './support/api-client.ts';
import { createUpload, patch } from './support/raw-tus.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from './support/test-service.ts';

function getAndHangUp(url: string, token: string, afterBytes: number): Promise<void> {
  return new Promise((resolve) => {
    const request = http.get(
      url,
      { headers: { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0' } },
      (response) => {
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received >= afterBytes) request.destroy();
        });
        response.on('close', resolve);
      },
    );
    request.on('error', () => resolve());
  });
}

describe.skipIf(databaseUnavailable())(`downloads with early client close (${databaseKind})`, () => {
  let harness: TestService;
  let token: string;
  let url: string;
  let content: Buffer;

  beforeAll(async () => {
    harness = await startTestService({ env: { WORKER_CONCURRENCY: '0' } });
    token = await harness.tokenFor('gina');
    content = Buffer.concat([Buffer.from('id,blob\n'), Buffer.from(randomBytes(6 * 1024 * 1024).toString('hex'))]);
    const created = await createUpload(harness.baseUrl, token, content.length);
    expect((await patch(created.url, token, 0, content)).status).toBe(204);
    url = created.url;
  });
  afterAll(() => harness?.stop());

  it('survives repeated early hang-ups and still serves the whole file', async () => {
    for (let round = 0; round < 15; round++) {
      await Promise.all([
        getAndHangUp(url, token, 1),
        getAndHangUp(url, token, 64 * 1024),
        getAndHangUp(url, token, 1024 * 1024),
      ]);
    }
    expect((await apiRequest(harness.baseUrl, '/healthz', null)).status).toBe(200);
    const full = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
    expect(full.status).toBe(200);
    const body = Buffer.from(await full.arrayBuffer());
    expect(createHash('sha256').update(body).digest('hex')).toBe(createHash('sha256').update(content).digest('hex'));
  });
});
