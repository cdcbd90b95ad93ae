// The embedded-mode import figure, in its own process: opens PGlite in a
// temporary directory, queues the import of one CSV file and runs the worker
// that `pnpm start` runs, then prints {ms, rows, peakRss}.
import { link, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { openDatabase } from '../../db/client.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { fileImportSource } from '../../server/import/source/import-source.ts';
import { enqueueImportJob } from '../../server/queue/enqueue-job.ts';
import { createImportJobHandler } from '../../server/queue/import-job-handler.ts';
import { createLocalJobSignal } from '../../server/queue/job-signal.ts';
import { startWorker } from '../../server/queue/worker.ts';
import { recordStats } from '../../test/support/import-tables.ts';

const UPLOAD_ID = `${'e'.repeat(31)}1`;

async function main(): Promise<void> {
  const { file } = JSON.parse(process.argv[2] as string) as { file: string };
  const dataDir = await mkdtemp(join(tmpdir(), 'csvup-bench-pglite-'));
  await mkdir(join(dataDir, 'uploads'));
  await link(file, join(dataDir, 'uploads', UPLOAD_ID));
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const database = await openDatabase({ dataDir: join(dataDir, 'db') });
  try {
    await migrateToLatest(database.db);
    const { db } = database;
    await db
      .insertInto('uploads')
      .values({ id: UPLOAD_ID, owner: 'bench', filename: 'import.csv', state: 'uploaded', metadata: '{}' })
      .execute();
    const jobSignal = createLocalJobSignal();
    const started = performance.now();
    const worker = startWorker({
      db,
      jobSignal,
      logger: pino({ level: 'silent' }),
      handler: createImportJobHandler({
        database,
        uploadSource: (id) => fileImportSource(join(dataDir, 'uploads', id)),
        leaseMs: 30_000,
      }),
      concurrency: 1,
      leaseMs: 30_000,
      pollIntervalMs: 100,
      retryBaseMs: 100,
    });
    await enqueueImportJob(db, UPLOAD_ID, 1);
    await jobSignal.notify();
    for (;;) {
      const job = await db.selectFrom('jobs').select(['state', 'last_error']).executeTakeFirstOrThrow();
      if (job.state === 'succeeded') break;
      if (job.state === 'failed') throw new Error(`import failed: ${job.last_error}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const ms = performance.now() - started;
    await worker.stop();
    const { n } = await recordStats(db, UPLOAD_ID);
    clearInterval(sampler);
    process.stdout.write(`${JSON.stringify({ ms, rows: n, peakRss })}\n`);
  } finally {
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`embedded import failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
