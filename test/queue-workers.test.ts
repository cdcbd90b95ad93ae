// The queue under concurrency and crashes: two workers share 20 jobs, each run
// exactly once; a new job wakes a worker by notification, not by polling; and
// (on PostgreSQL, with real `pnpm worker` processes) a worker killed with -9
// (its job handed over at once, no attempt spent), stopped with SIGTERM, or
// frozen (SIGSTOP: session alive, heartbeats stopped, taken over at the
// lease) mid-import hands the job over, which finishes from its checkpoint
// with exactly the file's rows.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../db/client.ts';
import { enqueueImportJob } from '../server/queue/enqueue-job.ts';
import { startWorker } from '../server/queue/worker.ts';
import { jobFinished, waitForUpload } from './support/api-client.ts';
import { writeCsvFixture } from './support/csv-fixtures.ts';
import { createUpload, patch } from './support/raw-tus.ts';
import type { RunningProcess } from './support/service-process.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from './support/test-service.ts';
import { tusUpload } from './support/tus-client.ts';
import { expectExactRows as expectExactRowCount, startWorkerProcesses } from './support/worker-processes.ts';

const silent = pino({ level: 'silent' });

describe.skipIf(databaseUnavailable())(`queue with several workers (${databaseKind})`, () => {
  let harness: TestService;
  let token: string;
  beforeAll(async () => {
    // No in-process worker: the tests bring their own.
    harness = await startTestService({ env: { WORKER_CONCURRENCY: '0' } });
    token = await harness.tokenFor('lee');
  });
  afterAll(() => harness?.stop());

  it('runs each of 20 jobs exactly once across two workers', async () => {
    const { db } = harness.service.database;
    for (let i = 0; i < 20; i++) {
      const id = `${i.toString(16).padStart(2, '0')}${'e'.repeat(30)}`;
      await db
        .insertInto('uploads')
        .values({ id, owner: 'lee', filename: `${i}.csv`, state: 'uploaded', metadata: '{}' })
        .execute();
      await enqueueImportJob(db, id, 3);
    }
    // On PostgreSQL the second worker gets its own pool, as a second process would.
    const second: DatabaseHandle =
      databaseKind === 'postgres'
        ? await openDatabase({ databaseUrl: harness.service.config.databaseUrl, dataDir: harness.dataDir })
        : harness.service.database;
    const runs: { jobId: number; workerId: string }[] = [];
    const workers = [harness.service.database, second].map((database) =>
      startWorker({
        db: database.db,
        jobSignal: harness.service.jobSignal,
        logger: silent,
        concurrency: 3,
        leaseMs: 5000,
        pollIntervalMs: 50,
        retryBaseMs: 10,
        handler: async (job, context) => {
          runs.push({ jobId: Number(job.id), workerId: context.workerId });
          await new Promise((r) => setTimeout(r, 20));
          return { sha256: '0'.repeat(64), result: {} };
        },
      }),
    );
    try {
      for (let i = 0; i < 200; i++) {
        const done = await db.selectFrom('jobs').select('id').where('state', '=', 'succeeded').execute();
        if (done.length === 20) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      if (second !== harness.service.database) await second.close();
    }
    const jobIds = runs.map((r) => r.jobId).sort((a, b) => a - b);
    expect(jobIds).toHaveLength(20);
    expect(new Set(jobIds).size).toBe(20);
    expect(new Set(runs.map((r) => r.workerId)).size).toBe(2);
  });

  it('starts a queued job on notification, long before the next poll', async () => {
    const worker = startWorker({
      db: harness.service.database.db,
      jobSignal: harness.service.jobSignal,
      logger: silent,
      concurrency: 1,
      leaseMs: 5000,
      pollIntervalMs: 60_000,
      retryBaseMs: 10,
      handler: async () => ({ sha256: '0'.repeat(64), result: {} }),
    });
    try {
      // Let the worker reach its idle wait first.
      await new Promise((r) => setTimeout(r, 300));
      const body = Buffer.from('id\n1\n');
      const created = await createUpload(harness.baseUrl, token, body.length);
      await patch(created.url, token, 0, body);
      const id = created.url.split('/').pop() as string;
      const { upload } = await waitForUpload(harness.baseUrl, token, id, jobFinished, { intervalMs: 20 });
      expect(upload.job?.state).toBe('succeeded');
      const timing = await sql<{ latency_ms: number }>`
        select extract(epoch from (j.started_at - u.finished_at)) * 1000 as latency_ms
        from jobs j join uploads u on u.id = j.upload_id where u.id = ${id}`.execute(harness.service.database.db);
      const latency = Number(timing.rows[0]?.latency_ms);
      process.stdout.write(`[queue] upload finish -> job start: ${latency.toFixed(1)} ms (${databaseKind})\n`);
      expect(latency).toBeLessThan(10_000);
    } finally {
      await worker.stop();
    }
  });
});

const crashSuite = databaseKind === 'postgres' ? describe.skipIf(databaseUnavailable()) : null;

crashSuite?.('worker processes that die or stop mid-import (postgres)', () => {
  let harness: TestService;
  let token: string;
  let workDir: string;
  let csvPath: string;
  let rowCount: number;
  const workers: RunningProcess[] = [];

  beforeAll(async () => {
    harness = await startTestService({ env: { WORKER_CONCURRENCY: '0' } });
    token = await harness.tokenFor('max');
    workDir = await mkdtemp(join(tmpdir(), 'csvup-crash-'));
    csvPath = join(workDir, 'big.csv');
    rowCount = await writeCsvFixture(csvPath, 60 * 1024 * 1024);
  });
  afterAll(async () => {
    for (const worker of workers) worker.child.kill('SIGKILL');
    await harness?.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  async function startWorkers(count: number): Promise<RunningProcess[]> {
    const started = await startWorkerProcesses(count, {
      databaseUrl: harness.service.config.databaseUrl as string,
      uploadDir: harness.service.config.uploadDir,
      dataDir: harness.dataDir,
    });
    workers.push(...started);
    return started;
  }

  async function jobRow(id: string) {
    return harness.service.database.db
      .selectFrom('jobs')
      .selectAll()
      .where('upload_id', '=', id)
      .executeTakeFirstOrThrow();
  }

  async function importUntilRunning(): Promise<{ id: string; holderPid: number }> {
    const { url } = await tusUpload({ endpoint: `${harness.baseUrl}/files/`, token, path: csvPath });
    const id = url.split('/').pop() as string;
    await waitForUpload(harness.baseUrl, token, id, (u) => (u.job?.progress.rowsDone ?? 0) > 0, { intervalMs: 20 });
    const holder = (await jobRow(id)).locked_by as string;
    return { id, holderPid: Number(holder.split(':')[1]) };
  }

  const expectExactRows = (id: string) => expectExactRowCount(harness.service.database.db, id, rowCount);

  it('finishes the import elsewhere after kill -9, from the checkpoint, with exact rows', async () => {
    const pool = await startWorkers(2);
    const { id, holderPid } = await importUntilRunning();
    const victim = pool.find((w) => w.child.pid === holderPid);
    expect(victim).toBeDefined();
    const killedAt = Date.now();
    victim?.child.kill('SIGKILL');

    let recoveredAfter = -1;
    for (let i = 0; i < 600 && recoveredAfter < 0; i++) {
      const job = await jobRow(id);
      if (job.locked_by && !job.locked_by.includes(`:${holderPid}:`)) recoveredAfter = Date.now() - killedAt;
      else if (job.state === 'succeeded') recoveredAfter = Date.now() - killedAt;
      else await new Promise((r) => setTimeout(r, 50));
    }
    process.stdout.write(`[queue] kill -9 recovery: job taken over after ${recoveredAfter} ms (lease 5000 ms)\n`);
    expect(recoveredAfter).toBeGreaterThan(0);

    const { upload } = await waitForUpload(harness.baseUrl, token, id, jobFinished, { timeoutMs: 120_000 });
    expect(upload.job?.state).toBe('succeeded');
    expect(upload.job?.result?.resumedFromRecord).toBeGreaterThan(0);
    // Its session ended with the process: handed over without waiting for the lease, the attempt not counted.
    expect(recoveredAfter).toBeLessThan(5000);
    expect((await jobRow(id)).attempt_errors.map((e) => e.message)).toEqual([expect.stringMatching(/died/)]);
    expect(upload.job?.attempts).toBe(1);
    await expectExactRows(id);
  });

  it('takes over at the lease from a worker that is alive but frozen, which then stores no row twice', async () => {
    const pool = workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
    if (pool.length < 2) pool.push(...(await startWorkers(2 - pool.length)));
    const { id, holderPid } = await importUntilRunning();
    const holder = pool.find((w) => w.child.pid === holderPid) as RunningProcess;
    // Its sessions stay open (the liveness lock is held) but it heartbeats no more.
    holder.child.kill('SIGSTOP');
    let frozenHolder = true;
    try {
      for (const deadline = Date.now() + 30_000; ; ) {
        const job = await jobRow(id);
        if (job.locked_by && !job.locked_by.includes(`:${holderPid}:`)) break;
        if (Date.now() > deadline) throw new Error('the frozen worker’s job was not taken over at its lease');
        await new Promise((r) => setTimeout(r, 50));
      }
      holder.child.kill('SIGCONT');
      frozenHolder = false;
      const { upload } = await waitForUpload(harness.baseUrl, token, id, jobFinished, { timeoutMs: 120_000 });
      expect(upload.job?.state).toBe('succeeded');
      expect((await jobRow(id)).attempt_errors.map((e) => e.message)).toEqual([
        expect.stringMatching(/stopped responding/),
      ]);
      // The thawed worker found its lease gone at its next heartbeat or batch and wrote no row twice.
      await expectExactRows(id);
    } finally {
      if (frozenHolder) holder.child.kill('SIGCONT');
    }
  });

  it('on SIGTERM, exits promptly and hands the job over to continue from its checkpoint', async () => {
    const pool = workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
    if (pool.length < 2) pool.push(...(await startWorkers(2 - pool.length)));
    const { id, holderPid } = await importUntilRunning();
    const holder = pool.find((w) => w.child.pid === holderPid) as RunningProcess;
    const stoppedAt = Date.now();
    holder.child.kill('SIGTERM');
    expect(await holder.exited).toBe(0);
    const exitMs = Date.now() - stoppedAt;
    process.stdout.write(`[queue] SIGTERM: worker exited after ${exitMs} ms\n`);
    expect(exitMs).toBeLessThan(10_000);

    const { upload } = await waitForUpload(harness.baseUrl, token, id, jobFinished, { timeoutMs: 120_000 });
    expect(upload.job?.state).toBe('succeeded');
    expect(upload.job?.result?.resumedFromRecord).toBeGreaterThan(0);
    // A release is not a failure: no attempt was burnt and no error recorded.
    expect((await jobRow(id)).attempt_errors).toEqual([]);
    expect(upload.job?.attempts).toBe(1);
    await expectExactRows(id);
  });
});
