// Limits, each with a fitting status and a message a person can act on:
// per-owner quota (413), unfinished uploads per owner (429), free disk (507),
// upload creations and API calls per token (429 + Retry-After).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRequest } from '../support/api-client.ts';
import { createUpload } from '../support/raw-tus.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from '../support/test-service.ts';

describe.skipIf(databaseUnavailable())(`limits (${databaseKind})`, () => {
  describe('per owner', () => {
    let harness: TestService;
    beforeAll(async () => {
      // 1 KiB-ish quota: 0.000001 GiB = 1073 bytes.
      harness = await startTestService({
        env: { OWNER_QUOTA_GB: '0.000001', MAX_UNFINISHED_UPLOADS_PER_OWNER: '2', WORKER_CONCURRENCY: '0' },
      });
    });
    afterAll(() => harness?.stop());

    it('refuses an upload over the owner quota with 413, counting declared lengths of unfinished uploads', async () => {
      const token = await harness.tokenFor('sam');
      expect((await createUpload(harness.baseUrl, token, 800)).status).toBe(201);
      // Nothing written yet, but 800 bytes are reserved: 300 more exceed 1073.
      const refused = await createUpload(harness.baseUrl, token, 300);
      expect(refused.status).toBe(413);
      expect(JSON.parse(refused.body).error).toMatchObject({
        code: 'quota_exceeded',
        message: expect.stringMatching(/quota/),
      });
      // Another owner has a quota of their own.
      expect((await createUpload(harness.baseUrl, await harness.tokenFor('tess'), 300)).status).toBe(201);
    });

    it('caps unfinished uploads per owner with 429', async () => {
      const token = await harness.tokenFor('uma');
      expect((await createUpload(harness.baseUrl, token, 10)).status).toBe(201);
      expect((await createUpload(harness.baseUrl, token, 10)).status).toBe(201);
      const third = await createUpload(harness.baseUrl, token, 10);
      expect(third.status).toBe(429);
      expect(JSON.parse(third.body).error.code).toBe('too_many_uploads');
    });
  });

  describe('free disk', () => {
    let harness: TestService;
    beforeAll(async () => {
      harness = await startTestService({ env: { MIN_FREE_DISK_MB: '1000000000', WORKER_CONCURRENCY: '0' } });
    });
    afterAll(() => harness?.stop());

    it('refuses new uploads with 507 when the disk would go below MIN_FREE_DISK_MB', async () => {
      const response = await createUpload(harness.baseUrl, await harness.tokenFor('vic'), 10);
      expect(response.status).toBe(507);
      expect(JSON.parse(response.body).error).toMatchObject({
        code: 'insufficient_storage',
        message: expect.stringMatching(/disk space/),
      });
    });
  });

  describe('rates', () => {
    let harness: TestService;
    beforeAll(async () => {
      harness = await startTestService({
        env: { RATE_LIMIT_UPLOADS_PER_MINUTE: '3', RATE_LIMIT_API_PER_MINUTE: '5', WORKER_CONCURRENCY: '0' },
      });
    });
    afterAll(() => harness?.stop());

    it('limits upload creations per token with 429 and Retry-After', async () => {
      const token = await harness.tokenFor('wes');
      for (let i = 0; i < 3; i++) expect((await createUpload(harness.baseUrl, token, 10)).status).toBe(201);
      const limited = await createUpload(harness.baseUrl, token, 10);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(JSON.parse(limited.body).error.code).toBe('rate_limited');
      // Counted per token: someone else still gets through.
      expect((await createUpload(harness.baseUrl, await harness.tokenFor('xena'), 10)).status).toBe(201);
    });

    it('limits API calls per token with 429 and Retry-After', async () => {
      const token = await harness.tokenFor('yuri');
      const statuses: number[] = [];
      let last: Awaited<ReturnType<typeof apiRequest>> | undefined;
      for (let i = 0; i < 6; i++) {
        last = await apiRequest(harness.baseUrl, '/api/uploads', token);
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await apiRequest(harness.baseUrl, '/healthz', null)).status).toBe(200);
    });
  });
});
