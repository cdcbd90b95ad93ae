// Import control through the API: cancel stops a running import at a batch
// boundary, retry continues it from its checkpoint to exactly the file's rows;
// delete removes everything; tus termination of an unfinished upload too.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadView } from '../server/uploads/upload-view.ts';
import { apiRequest, jobFinished, waitForUpload } from './support/api-client.ts';
import { writeCsvFixture } from './support/csv-fixtures.ts';
import { recordStats } from './support/import-tables.ts';
import { createUpload, patch, rawRequest } from './support/raw-tus.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from './support/test-service.ts';
import { tusUpload } from './support/tus-client.ts';

describe.skipIf(databaseUnavailable())(`cancel, retry and delete (${databaseKind})`, () => {
  let harness: TestService;
  let token: string;
  let workDir: string;

  beforeAll(async () => {
    harness = await startTestService({ env: { JOB_POLL_INTERVAL_MS: '100' } });
    token = await harness.tokenFor('kim');
    workDir = await mkdtemp(join(tmpdir(), 'csvup-control-'));
  });
  afterAll(async () => {
    await harness?.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  const post = (path: string) =>
    apiRequest<UploadView & { error?: { code: string } }>(harness.baseUrl, path, token, { method: 'POST' });

  async function rowStats(id: string) {
    return recordStats(harness.service.database.db, id);
  }

  it('cancels a running import at a batch boundary and retries it from the checkpoint', async () => {
    const path = join(workDir, 'big.csv');
    const rows = await writeCsvFixture(path, 60 * 1024 * 1024);
    const { url } = await tusUpload({ endpoint: `${harness.baseUrl}/files/`, token, path });
    const id = url.split('/').pop() as string;

    await waitForUpload(harness.baseUrl, token, id, (u) => (u.job?.progress.rowsDone ?? 0) > 0, { intervalMs: 20 });
    const cancelled = await post(`/api/uploads/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.job?.state).toBe('cancelled');
    expect(cancelled.body.state).toBe('uploaded');

    // The worker stops at its next batch (one already past its lease check may still commit):
    // the row count settles below the file's.
    let settled = await rowStats(id);
    for (let i = 0; i < 30; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      const now = await rowStats(id);
      if (now.n === settled.n) break;
      settled = now;
    }
    expect(settled.n).toBeLessThan(rows);
    expect(settled.n).toBe(settled.max_n);

    expect((await post(`/api/uploads/${id}/cancel`)).status).toBe(409);
    const retried = await post(`/api/uploads/${id}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.body.job?.state).toMatch(/queued|running/);

    const { upload } = await waitForUpload(harness.baseUrl, token, id, jobFinished);
    expect(upload.job?.state).toBe('succeeded');
    expect(upload.job?.result?.rows).toBe(rows);
    expect(upload.job?.result?.resumedFromRecord).toBeGreaterThan(0);
    expect(await rowStats(id)).toEqual({ n: rows, distinct_n: rows, max_n: rows });
    expect((await post(`/api/uploads/${id}/retry`)).status).toBe(409);
  });

  it('deletes an upload with its file, job and rows', async () => {
    const body = Buffer.from('id,name\n1,a\n2,b\n');
    const created = await createUpload(harness.baseUrl, token, body.length);
    await patch(created.url, token, 0, body);
    const id = created.url.split('/').pop() as string;
    await waitForUpload(harness.baseUrl, token, id, jobFinished);
    expect((await rowStats(id)).n).toBe(2);

    const deleted = await apiRequest(harness.baseUrl, `/api/uploads/${id}`, token, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect((await apiRequest(harness.baseUrl, `/api/uploads/${id}`, token)).status).toBe(404);
    expect((await rowStats(id)).n).toBe(0);
    await expect(stat(harness.fileStore.filePath(id))).rejects.toThrow(/ENOENT/);
    const jobs = await harness.service.database.db
      .selectFrom('jobs')
      .select('id')
      .where('upload_id', '=', id)
      .execute();
    expect(jobs).toEqual([]);
  });

  it('forgets an unfinished upload terminated over tus', async () => {
    const created = await createUpload(harness.baseUrl, token, 100);
    const id = created.url.split('/').pop() as string;
    const terminated = await rawRequest(created.url, 'DELETE', {
      'Tus-Resumable': '1.0.0',
      Authorization: `Bearer ${token}`,
    });
    expect(terminated.status).toBe(204);
    expect((await apiRequest(harness.baseUrl, `/api/uploads/${id}`, token)).status).toBe(404);
  });
});
