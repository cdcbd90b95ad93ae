// Queue benchmarks on PostgreSQL: empty jobs claimed and completed per second
// by one worker process (4 slots), against the same number of bare
// claim-shaped UPDATE transactions (the floor a queue built on Postgres rows
// cannot beat); and the latency from enqueue to start with LISTEN/NOTIFY.
import { sql } from 'kysely';
import pino from 'pino';
import { openDatabase } from '../db/client.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { enqueueImportJob } from '../server/queue/enqueue-job.ts';
import { createPostgresJobSignal } from '../server/queue/job-signal.ts';
import { startWorker } from '../server/queue/worker.ts';
import { type BenchContext, type BenchResult, median, ratio, withScratchDatabase } from './bench-support.ts';

const silent = pino({ level: 'silent' });

async function seed(db: Awaited<ReturnType<typeof openDatabase>>['db'], count: number, prefix: string): Promise<void> {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}${i.toString(16).padStart(31 - prefix.length, '0')}x`);
  for (let i = 0; i < ids.length; i += 500) {
    const slice = ids.slice(i, i + 500);
    await db
      .insertInto('uploads')
      .values(
        slice.map((id) => ({ id, owner: 'bench', filename: 'b.csv', state: 'uploaded' as const, metadata: '{}' })),
      )
      .execute();
    for (const id of slice) await enqueueImportJob(db, id, 3);
  }
}

export async function queueBench(context: BenchContext): Promise<BenchResult[]> {
  const jobs = context.quick ? 300 : 3000;
  return withScratchDatabase(context.adminUrl, async (url) => {
    const database = await openDatabase({ databaseUrl: url, dataDir: '/tmp', poolSize: 10 });
    await migrateToLatest(database.db);
    const { db } = database;
    if (database.kind !== 'postgres') throw new Error('the queue benchmark needs PostgreSQL');
    const signal = createPostgresJobSignal(url, database.pool, silent);
    try {
      // Baseline: the row updates a queue must do at minimum, one transaction each, 4 at a time.
      await seed(db, jobs, 'a');
      const ids = (await db.selectFrom('jobs').select('id').execute()).map((r) => r.id);
      const baselineStart = performance.now();
      for (let i = 0; i < ids.length; i += 4) {
        await Promise.all(
          ids.slice(i, i + 4).map((id) => sql`update jobs set state = 'succeeded' where id = ${id}`.execute(db)),
        );
      }
      const baselineRate = ids.length / ((performance.now() - baselineStart) / 1000);

      await seed(db, jobs, 'b');
      const started = performance.now();
      const worker = startWorker({
        db,
        jobSignal: signal,
        logger: silent,
        concurrency: 4,
        leaseMs: 30_000,
        pollIntervalMs: 50,
        retryBaseMs: 100,
        handler: async () => ({ sha256: '', result: {} }),
      });
      for (;;) {
        const left = await sql<{ n: number }>`select count(*)::int as n from jobs where state <> 'succeeded'`.execute(
          db,
        );
        if ((left.rows[0]?.n ?? 1) === 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const queueRate = jobs / ((performance.now() - started) / 1000);

      // Latency: enqueue one job at a time into an idle worker, NOTIFY wakes it.
      const latencies: number[] = [];
      for (let i = 0; i < (context.quick ? 5 : 20); i++) {
        const id = `c${i.toString(16).padStart(30, '0')}x`;
        await db
          .insertInto('uploads')
          .values({ id, owner: 'bench', filename: 'b.csv', state: 'uploaded', metadata: '{}' })
          .execute();
        await enqueueImportJob(db, id, 3);
        await signal.notify();
        for (;;) {
          const row = await sql<{ ms: number | null }>`
            select extract(epoch from (started_at - created_at)) * 1000 as ms from jobs where upload_id = ${id}`.execute(
            db,
          );
          const ms = row.rows[0]?.ms;
          if (ms !== null && ms !== undefined) {
            latencies.push(Number(ms));
            break;
          }
          await new Promise((r) => setTimeout(r, 5));
        }
      }
      await worker.stop();
      context.log(`queue: ${queueRate.toFixed(0)} jobs/s vs ${baselineRate.toFixed(0)} bare updates/s`);
      return [
        {
          name: 'queue: empty jobs claimed+completed (1 process, 4 slots)',
          value: Math.round(queueRate),
          unit: 'jobs/s',
          baseline: { name: 'bare UPDATE transactions, 4 at a time', value: Math.round(baselineRate) },
          ratio: ratio(queueRate, baselineRate),
          note: 'a job costs a claim transaction (select+2 updates) and a completion transaction (2 updates)',
        },
        {
          name: 'queue: enqueue -> job start (LISTEN/NOTIFY)',
          value: Math.round(median(latencies) * 10) / 10,
          unit: 'ms (median)',
          target: '< 1000 ms',
        },
      ];
    } finally {
      await signal.close();
      await database.close();
    }
  });
}
