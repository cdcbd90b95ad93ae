// Worker liveness on a real PostgreSQL: a registered worker whose session
// ended has its running jobs handed over by the sweep at once, with no attempt
// spent; a live worker's jobs stay; a lost liveness connection is re-opened.
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../db/client.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { createTemporaryDatabase, type TemporaryDatabase } from '../../test/support/postgres-database.ts';
import { handOverJobsOfDeadWorkers } from '../queue/hand-over-jobs-of-dead-workers.ts';
import { registerWorker } from '../queue/register-worker.ts';
import { advisoryLockKey } from './advisory-lock-key.ts';
import { startWorkerLiveness, type WorkerLiveness } from './worker-liveness.ts';

const logger = pino({ level: 'silent' });

describe.skipIf(!inject('postgresAvailable'))('worker liveness', () => {
  let temporary: TemporaryDatabase;
  let database: DatabaseHandle;
  const started: WorkerLiveness[] = [];
  let serial = 0;

  beforeAll(async () => {
    temporary = await createTemporaryDatabase();
    database = await openDatabase({ databaseUrl: temporary.url, dataDir: '/tmp' });
    await migrateToLatest(database.db);
  });
  afterAll(async () => {
    await Promise.all(started.map((liveness) => liveness.stop()));
    await database?.close();
    await temporary?.drop();
  });

  function live(workerId: string): WorkerLiveness {
    const liveness = startWorkerLiveness({
      connectionString: temporary.url,
      db: database.db,
      workerId,
      logger,
      checkIntervalMs: 100,
    });
    started.push(liveness);
    return liveness;
  }

  /** A worker process as the database sees it: lock held, row registered; end() is its death. */
  async function processThatWillDie(workerId: string): Promise<pg.Client> {
    const session = new pg.Client({ connectionString: temporary.url });
    await session.connect();
    const lockKey = advisoryLockKey('worker', workerId);
    await session.query('SELECT pg_advisory_lock($1::bigint)', [lockKey]);
    await registerWorker(database.db, { id: workerId, lockKey, hostname: 'h', pid: 1 });
    return session;
  }

  async function runningJob(workerId: string, fields: { attempts?: number; lostWorkers?: number } = {}) {
    const id = (++serial).toString(16).padStart(32, '0');
    await database.db
      .insertInto('uploads')
      .values({ id, owner: 'o', filename: 'f.csv', state: 'processing', metadata: '{}' })
      .execute();
    await database.db
      .insertInto('jobs')
      .values({
        upload_id: id,
        state: 'running',
        max_attempts: 3,
        attempts: fields.attempts ?? 1,
        lost_workers: fields.lostWorkers ?? 0,
        locked_by: workerId,
        // A lease far from expiry: only the session says the worker is gone.
        locked_until: new Date(Date.now() + 3_600_000),
        run_at: new Date(Date.now() - 60_000),
      })
      .execute();
    return id;
  }

  const jobOf = (uploadId: string) =>
    database.db.selectFrom('jobs').selectAll().where('upload_id', '=', uploadId).executeTakeFirstOrThrow();

  it('hands over the job of a worker whose session ended, attempt not counted, and keeps a live one’s', async () => {
    await live('alive').ready;
    const doomed = await processThatWillDie('doomed');
    const aliveJob = await runningJob('alive');
    const doomedJob = await runningJob('doomed', { attempts: 2 });
    expect(await handOverJobsOfDeadWorkers(database.db)).toBe(0);

    await doomed.end();
    // Two sweeps at once (two worker processes): the job is handed over once.
    const handed = await Promise.all([handOverJobsOfDeadWorkers(database.db), handOverJobsOfDeadWorkers(database.db)]);
    expect(handed[0] + handed[1]).toBe(1);

    const job = await jobOf(doomedJob);
    expect(job).toMatchObject({ state: 'queued', attempts: 1, lost_workers: 1, locked_by: null, locked_until: null });
    expect(job.run_at.getTime()).toBeLessThan(Date.now() - 30_000);
    expect(job.attempt_errors).toHaveLength(1);
    expect(job.last_error).toMatch(/died/);
    expect((await jobOf(aliveJob)).state).toBe('running');
    const workers = await database.db.selectFrom('workers').select('id').execute();
    expect(workers.map((w) => w.id)).toEqual(['alive']);
  });

  it('fails the job for good once max_attempts workers died running it', async () => {
    const doomed = await processThatWillDie('poison-victim');
    const uploadId = await runningJob('poison-victim', { lostWorkers: 2 });
    await doomed.end();
    expect(await handOverJobsOfDeadWorkers(database.db)).toBe(1);
    expect(await jobOf(uploadId)).toMatchObject({ state: 'failed', lost_workers: 3, attempts: 1 });
    const upload = await database.db
      .selectFrom('uploads')
      .select('state')
      .where('id', '=', uploadId)
      .executeTakeFirstOrThrow();
    expect(upload.state).toBe('failed');
  });

  it('re-opens a lost liveness session, takes the lock again and re-registers', async () => {
    await live('reconnecting').ready;
    const admin = new pg.Client({ connectionString: temporary.url });
    await admin.connect();
    try {
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE application_name = 'csvup-worker-liveness' AND datname = current_database()`,
      );
      // The sweep may see it dead in between and forget its row; the worker registers again.
      await handOverJobsOfDeadWorkers(database.db);
      const key = advisoryLockKey('worker', 'reconnecting');
      for (const deadline = Date.now() + 5000; ; ) {
        const held = await admin.query(
          `SELECT 1 FROM pg_locks l JOIN workers w ON w.id = 'reconnecting'
           WHERE l.locktype = 'advisory' AND l.granted
             AND l.classid = ((w.lock_key >> 32) & 4294967295)::oid AND l.objid = (w.lock_key & 4294967295)::oid`,
        );
        if (held.rowCount === 1) break;
        if (Date.now() > deadline) throw new Error(`lock ${key} not re-taken`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const uploadId = await runningJob('reconnecting');
      expect(await handOverJobsOfDeadWorkers(database.db)).toBe(0);
      expect((await jobOf(uploadId)).state).toBe('running');
    } finally {
      await admin.end();
    }
  });

  it('stop() unregisters the worker and frees its lock', async () => {
    const liveness = startWorkerLiveness({
      connectionString: temporary.url,
      db: database.db,
      workerId: 'leaving',
      logger,
    });
    await liveness.ready;
    expect(await database.db.selectFrom('workers').select('id').where('id', '=', 'leaving').execute()).toHaveLength(1);
    await liveness.stop();
    expect(await database.db.selectFrom('workers').select('id').where('id', '=', 'leaving').execute()).toHaveLength(0);
    const probe = new pg.Client({ connectionString: temporary.url });
    await probe.connect();
    const { rows } = await probe.query('SELECT pg_try_advisory_lock($1::bigint) AS free', [
      advisoryLockKey('worker', 'leaving'),
    ]);
    await probe.end();
    expect(rows[0].free).toBe(true);
  });
});
