// Finishing an upload queues exactly one job, however often it is recorded;
// a complete upload left without a job (the finish hook failed) is found and
// queued by the reconciliation pass.

import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileFinishedUploads } from '../server/cleanup/reconcile-finished-uploads.ts';
import { finishUpload } from '../server/uploads/finish-upload.ts';
import { createUpload, patch } from './support/raw-tus.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from './support/test-service.ts';

const CSV = Buffer.from('id,name\n1,one\n2,two\n');

describe.skipIf(databaseUnavailable())(`finish idempotency and reconciliation (${databaseKind})`, () => {
  let harness: TestService;
  let token: string;

  beforeAll(async () => {
    // No worker: jobs stay queued so they can be counted.
    harness = await startTestService({ env: { WORKER_CONCURRENCY: '0' }, maintenance: false });
    token = await harness.tokenFor('dave');
  });
  afterAll(() => harness?.stop());

  const jobsFor = (id: string) =>
    harness.service.database.db.selectFrom('jobs').selectAll().where('upload_id', '=', id).execute();

  async function completeUpload(): Promise<string> {
    const created = await createUpload(harness.baseUrl, token, CSV.length);
    expect((await patch(created.url, token, 0, CSV)).status).toBe(204);
    return created.url.split('/').pop() as string;
  }

  it('queues one job when the finish is recorded twice', async () => {
    const id = await completeUpload();
    const { db } = harness.service.database;
    const again = await finishUpload(db, harness.service.jobSignal, id, CSV.length, 5);
    expect(again.jobId).toBeNull();
    const jobs = await jobsFor(id);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.state).toBe('queued');
  });

  it('queues the job of a complete upload whose finish was never recorded', async () => {
    const id = await completeUpload();
    const { db } = harness.service.database;
    // As if onUploadFinish had failed: bytes complete, row still uploading, no job.
    await db.deleteFrom('jobs').where('upload_id', '=', id).execute();
    await db.updateTable('uploads').set({ state: 'uploading', finished_at: null }).where('id', '=', id).execute();

    const options = {
      db,
      store: harness.fileStore,
      jobSignal: harness.service.jobSignal,
      jobMaxAttempts: 5,
      logger: pino({ level: 'silent' }),
    };
    expect(await reconcileFinishedUploads(options)).toBe(1);
    expect(await jobsFor(id)).toHaveLength(1);
    const upload = await db.selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(upload.state).toBe('uploaded');
    // A second pass finds nothing more to do.
    expect(await reconcileFinishedUploads(options)).toBe(0);
  });

  it('leaves unfinished uploads alone', async () => {
    const created = await createUpload(harness.baseUrl, token, CSV.length);
    expect((await patch(created.url, token, 0, CSV.subarray(0, 5))).status).toBe(204);
    const reconciled = await reconcileFinishedUploads({
      db: harness.service.database.db,
      store: harness.fileStore,
      jobSignal: harness.service.jobSignal,
      jobMaxAttempts: 5,
      logger: pino({ level: 'silent' }),
    });
    expect(reconciled).toBe(0);
    expect(await jobsFor(created.url.split('/').pop() as string)).toHaveLength(0);
  });
});
