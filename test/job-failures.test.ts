// Failing imports: a malformed file fails at once with the line in lastError;
// a transient failure is retried with growing delays, then fails for good
// after JOB_MAX_ATTEMPTS; a job that fails twice then works succeeds. The
// server keeps serving throughout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../db/schema.ts';
import type { CompletedImport } from '../server/queue/complete-job.ts';
import { apiRequest, jobFinished, waitForUpload } from './support/api-client.ts';
import { createUpload, patch } from './support/raw-tus.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from './support/test-service.ts';

async function uploadCsv(
  harness: TestService,
  token: string,
  content: string,
  filename = 'data.csv',
  metadata: Record<string, string> = {},
): Promise<string> {
  const body = Buffer.from(content);
  const created = await createUpload(harness.baseUrl, token, body.length, { filename, ...metadata });
  expect((await patch(created.url, token, 0, body)).status).toBe(204);
  return created.url.split('/').pop() as string;
}

describe.skipIf(databaseUnavailable())(`failing imports (${databaseKind})`, () => {
  describe('with the real CSV import', () => {
    let harness: TestService;
    let token: string;
    beforeAll(async () => {
      harness = await startTestService({ env: { JOB_MAX_ATTEMPTS: '3' } });
      token = await harness.tokenFor('erin');
    });
    afterAll(() => harness?.stop());

    it('fails a file with an unterminated quote at once, naming the line', async () => {
      const lines = ['id,name'];
      for (let n = 1; n <= 8; n++) lines.push(`${n},name ${n}`);
      lines.push('9,"never closed', '10,after');
      // Declared: sniffed, a quote that never closes is read as text (and the import succeeds).
      const id = await uploadCsv(harness, token, `${lines.join('\n')}\n`, 'data.csv', { quote: '"' });
      const { upload } = await waitForUpload(harness.baseUrl, token, id, jobFinished);
      expect(upload.state).toBe('failed');
      expect(upload.job?.state).toBe('failed');
      expect(upload.job?.attempts).toBe(1);
      expect(upload.job?.lastError).toMatch(/line 10/);
      expect((await apiRequest(harness.baseUrl, '/healthz', null)).status).toBe(200);
    });
  });

  describe('with a handler that fails transiently', () => {
    let harness: TestService;
    let token: string;
    const runs = new Map<string, number[]>();
    beforeAll(async () => {
      harness = await startTestService({
        env: { JOB_MAX_ATTEMPTS: '4', JOB_RETRY_DELAY_MS: '100' },
        jobHandler: async (job: Job): Promise<CompletedImport> => {
          const times = runs.get(job.upload_id) ?? [];
          times.push(Date.now());
          runs.set(job.upload_id, times);
          const upload = await harness.service.database.db
            .selectFrom('uploads')
            .select('filename')
            .where('id', '=', job.upload_id)
            .executeTakeFirstOrThrow();
          if (upload.filename.startsWith('always') || times.length <= 2) {
            throw new Error(`database briefly unavailable (attempt ${job.attempts})`);
          }
          return { sha256: 'x'.repeat(64), result: { rows: 0 } };
        },
      });
      token = await harness.tokenFor('frank');
    });
    afterAll(() => harness?.stop());

    it('succeeds on the third attempt with increasing backoff', async () => {
      const id = await uploadCsv(harness, token, 'a\n1\n', 'flaky.csv');
      const { upload } = await waitForUpload(harness.baseUrl, token, id, jobFinished);
      expect(upload.job?.state).toBe('succeeded');
      expect(upload.job?.attempts).toBe(3);
      const [t1, t2, t3] = runs.get(id) as number[];
      expect(t2 - t1).toBeGreaterThanOrEqual(50);
      expect(t3 - t2).toBeGreaterThanOrEqual(100);
    });

    it('fails for good after JOB_MAX_ATTEMPTS, keeping every attempt error', async () => {
      const id = await uploadCsv(harness, token, 'a\n1\n', 'always-fails.csv');
      const { upload } = await waitForUpload(harness.baseUrl, token, id, jobFinished);
      expect(upload.job?.state).toBe('failed');
      expect(upload.state).toBe('failed');
      expect(upload.job?.attempts).toBe(4);
      expect(upload.job?.lastError).toBe('database briefly unavailable (attempt 4)');
      const job = await harness.service.database.db
        .selectFrom('jobs')
        .select('attempt_errors')
        .where('upload_id', '=', id)
        .executeTakeFirstOrThrow();
      expect(job.attempt_errors.map((e) => e.attempt)).toEqual([1, 2, 3, 4]);
      expect((await apiRequest(harness.baseUrl, '/healthz', null)).status).toBe(200);
    });
  });
});
