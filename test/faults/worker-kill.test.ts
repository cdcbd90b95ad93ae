// Fault: worker processes killed with -9 mid-import, twice in a row (the
// holder, then the worker that took the job over). A third worker finishes
// it from the last checkpoint with exactly the file's rows, each once, the
// right contents and the file's sha256. With the default 30 s lease, each
// takeover comes within seconds: the dead process's session ended, and the
// sweep hands its job over without waiting for the lease or spending an
// attempt. (test/queue-workers.test.ts covers a single kill and SIGTERM.)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobFinished, waitForUpload } from '../support/api-client.ts';
import { sha256File, writeCsvFixture } from '../support/csv-fixtures.ts';
import { importTableOf } from '../support/import-tables.ts';
import type { RunningProcess } from '../support/service-process.ts';
import { databaseUnavailable, startTestService, type TestService } from '../support/test-service.ts';
import { tusUpload } from '../support/tus-client.ts';
import { expectExactRows, startWorkerProcesses } from '../support/worker-processes.ts';

const MiB = 1024 * 1024;
// The default lease: a takeover in under TAKEOVER_LIMIT_MS cannot come from its expiry.
const LEASE_MS = 30_000;
const TAKEOVER_LIMIT_MS = 10_000;

// Worker processes need a database server they can share: PostgreSQL only.
// PostgreSQL only (vitest.config.ts keeps it out of the embedded project).
const suite = describe.skipIf(databaseUnavailable());

suite('fault: worker processes killed with -9 twice mid-import (postgres)', () => {
  let harness: TestService;
  let token: string;
  let work: string;
  let workers: RunningProcess[] = [];

  beforeAll(async () => {
    harness = await startTestService({ env: { WORKER_CONCURRENCY: '0' } });
    token = await harness.tokenFor('crash');
    work = await mkdtemp(join(tmpdir(), 'csvup-fault-worker-'));
  });
  afterAll(async () => {
    for (const worker of workers) worker.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await harness?.stop();
    await rm(work, { recursive: true, force: true });
  });

  async function job(id: string) {
    return harness.service.database.db
      .selectFrom('jobs')
      .select(['locked_by', 'state', 'checkpoint', 'attempt_errors', 'attempts', 'lost_workers'])
      .where('upload_id', '=', id)
      .executeTakeFirstOrThrow();
  }

  /** Waits until a worker other than `previous` holds the job and has committed past `afterRecord`. */
  async function holderPast(id: string, previous: string | null, afterRecord: number) {
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
      const row = await job(id);
      if (row.state === 'succeeded') return null;
      const record = row.checkpoint?.recordNumber ?? 0;
      if (row.locked_by && row.locked_by !== previous && record > afterRecord) return { holder: row.locked_by, record };
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('no worker took the job over');
  }

  /** Milliseconds from now until a worker other than `killed` holds the job (or it finished). */
  async function takeoverAfter(id: string, killed: string): Promise<number> {
    const started = performance.now();
    for (;;) {
      const row = await job(id);
      if (row.state === 'succeeded' || (row.locked_by && row.locked_by !== killed)) return performance.now() - started;
      if (performance.now() - started > LEASE_MS * 2) throw new Error('no worker took the job over');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it('finishes with exact rows after two consecutive kills', async () => {
    const path = join(work, 'crash.csv');
    const rowCount = await writeCsvFixture(path, 12 * MiB);
    workers = await startWorkerProcesses(3, {
      databaseUrl: harness.service.config.databaseUrl as string,
      uploadDir: harness.service.config.uploadDir,
      dataDir: harness.dataDir,
      leaseMs: LEASE_MS,
    });
    const { url } = await tusUpload({ endpoint: `${harness.baseUrl}/files/`, token, path });
    const id = new URL(url).pathname.split('/').pop() as string;

    const kills: number[] = [];
    const takeovers: number[] = [];
    let previous: string | null = null;
    let record = 0;
    for (let round = 0; round < 2; round++) {
      const held = await holderPast(id, previous, record);
      if (!held) break;
      const pid = Number(held.holder.split(':')[1]);
      workers.find((w) => w.child.pid === pid)?.child.kill('SIGKILL');
      takeovers.push(await takeoverAfter(id, held.holder));
      kills.push(held.record);
      previous = held.holder;
      record = held.record;
    }
    process.stdout.write(
      `[fault] injected: kill -9 of the worker holding the import, ${kills.length} times (at records ${kills.join(', ')} of ${rowCount}; lease ${LEASE_MS} ms)\n`,
    );
    expect(kills.length).toBe(2);
    process.stdout.write(
      `[fault] taken over ${takeovers.map((t) => `${Math.round(t)} ms`).join(' and ')} after the kills (lease ${LEASE_MS} ms)\n`,
    );
    for (const takeover of takeovers) expect(takeover).toBeLessThan(TAKEOVER_LIMIT_MS);

    const { upload } = await waitForUpload(harness.baseUrl, token, id, jobFinished, { timeoutMs: 120_000 });
    expect(upload.job?.state).toBe('succeeded');
    expect(upload.sha256).toBe(await sha256File(path));
    // Both crashes are on record, and neither spent an attempt: the third worker ran attempt 1.
    expect(await job(id)).toMatchObject({ attempts: 1, lost_workers: 2 });
    expect((await job(id)).attempt_errors).toHaveLength(2);
    await expectExactRows(harness.service.database.db, id, rowCount);
    // Contents too: the fixture's id column (the first value of each stored row) is the record number.
    const table = await importTableOf(harness.service.database.db, id);
    const sums = await sql<{ ids: string }>`select sum(id::bigint)::text as ids from ${sql.raw(table)}`.execute(
      harness.service.database.db,
    );
    expect(sums.rows[0]?.ids).toBe(String((rowCount * (rowCount + 1)) / 2));
    process.stdout.write(
      `[fault] verified: job succeeded on the third worker; ${rowCount} rows, each once, id sum and file sha256 match\n`,
    );
  });
});
