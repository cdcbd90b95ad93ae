// An upload and its job read while a worker's completion commits between the
// two SELECTs: both must come from before that commit, never a mix (a finished
// job on an upload still "processing"). Real PostgreSQL, where reads and the
// worker's transaction run on separate connections; the embedded database has
// one connection, so nothing can commit between two reads there.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../db/client.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { createTemporaryDatabase, type TemporaryDatabase } from '../../test/support/postgres-database.ts';
import { enqueueImportJob } from '../queue/enqueue-job.ts';
import { generateUploadId } from './upload-id.ts';
import { registerUpload } from './upload-repository.ts';
import { findOwnedUploadWithJob, listOwnedUploadsWithJobs, type UploadWithJob } from './upload-with-job.ts';

const OWNER = 'owner-a';

describe.skipIf(!inject('postgresAvailable'))('an upload and its job read from one snapshot', () => {
  let database: TemporaryDatabase;
  let handle: DatabaseHandle;

  beforeAll(async () => {
    database = await createTemporaryDatabase();
    handle = await openDatabase({ databaseUrl: database.url, dataDir: '/nonexistent' });
    await migrateToLatest(handle.db);
  });
  afterAll(async () => {
    await handle?.close();
    await database?.drop();
  });

  async function processingUploadWithRunningJob(): Promise<string> {
    const id = generateUploadId();
    await registerUpload(handle.db, {
      id,
      owner: OWNER,
      filename: 'a.csv',
      filetype: 'text/csv',
      size: 10,
      offset: 10,
      state: 'processing',
      metadata: JSON.stringify({}),
    });
    await enqueueImportJob(handle.db, id, 3);
    await handle.db
      .updateTable('jobs')
      .set({ state: 'running', locked_by: 'worker-1' })
      .where('upload_id', '=', id)
      .execute();
    return id;
  }

  /**
   * Runs `read` while another connection holds the jobs table locked, so the read
   * has its upload but waits for its job; the other connection then completes the
   * job and its upload the way a worker does, commits, and lets the read go on.
   */
  async function readAcrossCompletion<T>(id: string, read: () => Promise<T>): Promise<T> {
    const worker = new pg.Client({ connectionString: database.url });
    await worker.connect();
    try {
      await worker.query('BEGIN');
      await worker.query('LOCK TABLE jobs IN ACCESS EXCLUSIVE MODE');
      const reading = read();
      await untilReaderWaitsForLock(worker);
      await worker.query(`UPDATE jobs SET state = 'succeeded', locked_by = NULL WHERE upload_id = $1`, [id]);
      await worker.query(`UPDATE uploads SET state = 'processed', sha256 = 'abc' WHERE id = $1`, [id]);
      await worker.query('COMMIT');
      return await reading;
    } finally {
      await worker.end();
    }
  }

  async function untilReaderWaitsForLock(worker: pg.Client): Promise<void> {
    const started = Date.now();
    for (;;) {
      const { rows } = await worker.query(
        `SELECT count(*)::int AS waiting FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
      );
      if (rows[0].waiting > 0) return;
      if (Date.now() - started > 10_000) throw new Error('the read never reached the jobs table');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  function states(found: UploadWithJob | undefined) {
    return { upload: found?.upload.state, sha256: found?.upload.sha256, job: found?.job?.state };
  }

  it('one upload: both from before the completion, then both after', async () => {
    const id = await processingUploadWithRunningJob();
    const during = await readAcrossCompletion(id, () => findOwnedUploadWithJob(handle.db, OWNER, id));
    expect(states(during)).toEqual({ upload: 'processing', sha256: null, job: 'running' });
    const after = await findOwnedUploadWithJob(handle.db, OWNER, id);
    expect(states(after)).toEqual({ upload: 'processed', sha256: 'abc', job: 'succeeded' });
  });

  it('a page of uploads: the same', async () => {
    const id = await processingUploadWithRunningJob();
    const page = await readAcrossCompletion(id, () => listOwnedUploadsWithJobs(handle.db, OWNER, 50, null));
    expect(states(page.find((entry) => entry.upload.id === id))).toEqual({
      upload: 'processing',
      sha256: null,
      job: 'running',
    });
  });

  it('an id that is not an upload id, or another owner, finds nothing', async () => {
    const id = await processingUploadWithRunningJob();
    expect(await findOwnedUploadWithJob(handle.db, 'owner-b', id)).toBeUndefined();
    expect(await findOwnedUploadWithJob(handle.db, OWNER, '../etc')).toBeUndefined();
  });
});
