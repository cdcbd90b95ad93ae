// Crash recovery under load: an API process receiving 10 concurrent uploads,
// two real `pnpm worker` processes with the default 30 s lease; the worker
// holding an import is killed with -9 and the time until the other one has
// taken the job over is measured, then every row is checked to be stored once.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { openDatabase } from '../db/client.ts';
import type { Database } from '../db/schema.ts';
import { enqueueImportJob } from '../server/queue/enqueue-job.ts';
import { writeCsvFixture } from '../test/support/csv-fixtures.ts';
import { recordStats } from '../test/support/import-tables.ts';
import { writeUploadFile } from './bench-files.ts';
import { type BenchProcess, MiB, spawnWorker, startServiceProcess } from './bench-processes.ts';
import { type BenchContext, type BenchResult, median, withScratchDatabase } from './bench-support.ts';
import { clientRate } from './upload-bench.ts';

const LOAD_UPLOADS = 10;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function startWorker(url: string, uploadDir: string): Promise<BenchProcess> {
  // Default lease (JOB_LEASE_MS 30 s) and concurrency (2): what `pnpm worker` runs with.
  return spawnWorker({ DATABASE_URL: url, UPLOAD_DIR: uploadDir, LOG_LEVEL: 'warn' });
}

async function jobOf(db: Kysely<Database>, uploadId: string) {
  return db
    .selectFrom('jobs')
    .select(['locked_by', 'state', 'checkpoint', 'attempts'])
    .where('upload_id', '=', uploadId)
    .executeTakeFirstOrThrow();
}

/** Throws unless records 1..rowCount are stored, each exactly once. */
async function checkExactlyOnce(db: Kysely<Database>, uploadId: string, rowCount: number): Promise<void> {
  const stats = await recordStats(db, uploadId);
  if (stats.n !== rowCount || stats.distinct_n !== rowCount || stats.max_n !== rowCount) {
    throw new Error(`upload ${uploadId}: expected ${rowCount} rows once each, found ${JSON.stringify(stats)}`);
  }
}

export async function recoveryBench(context: BenchContext): Promise<BenchResult[]> {
  const rounds = context.quick ? 1 : 5;
  const dir = await mkdtemp(join(tmpdir(), 'csvup-bench-recovery-'));
  const uploadDir = join(dir, 'data', 'uploads');
  const loadFile = join(dir, 'load.csv');
  await writeUploadFile(loadFile, (context.quick ? 5 : 40) * MiB);
  try {
    return await withScratchDatabase(context.adminUrl, async (url) => {
      const service = await startServiceProcess({
        DATABASE_URL: url,
        DATA_DIR: join(dir, 'data'),
        WORKER_CONCURRENCY: '0',
      });
      const database = await openDatabase({ databaseUrl: url, dataDir: dir });
      const { db } = database;
      const workers = await Promise.all([startWorker(url, uploadDir), startWorker(url, uploadDir)]);
      const times: number[] = [];
      let loadRunningAtKill = 0;
      try {
        for (let round = 0; round < rounds; round++) {
          const id = `${round.toString(16).padStart(31, '0')}f`;
          const path = join(uploadDir, id);
          const rowCount = await writeCsvFixture(path, (context.quick ? 60 : 150) * MiB);
          const { size } = await stat(path);
          await db
            .insertInto('uploads')
            .values({ id, owner: 'bench', filename: 'r.csv', state: 'uploaded', size, metadata: '{}' })
            .execute();
          await enqueueImportJob(db, id, 5);
          // The load: 10 uploads at once through the API, each imported once it completes.
          let loadDone = false;
          const load = clientRate('tus', `${service.baseUrl}/files/`, Array(LOAD_UPLOADS).fill(loadFile), {
            concurrency: LOAD_UPLOADS,
          }).finally(() => {
            loadDone = true;
          });
          let holder = '';
          while (!holder) {
            const job = await jobOf(db, id);
            if (job.locked_by && job.checkpoint) holder = job.locked_by;
            else await pause(20);
          }
          const pid = Number(holder.split(':')[1]);
          const victim = workers.findIndex((w) => w.pid === pid);
          if (!loadDone) loadRunningAtKill++;
          const killedAt = performance.now();
          workers[victim]?.child.kill('SIGKILL');
          for (;;) {
            const job = await jobOf(db, id);
            if ((job.locked_by && job.locked_by !== holder) || job.state === 'succeeded') break;
            await pause(10);
          }
          times.push(performance.now() - killedAt);
          workers[victim] = await startWorker(url, uploadDir);
          await load;
          // Every import of the round finished (the victim's and the load's) before the next kill.
          for (;;) {
            const open = await db
              .selectFrom('jobs')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where('state', 'in', ['queued', 'running'])
              .executeTakeFirstOrThrow();
            if (Number(open.n) === 0) break;
            await pause(100);
          }
          const finished = await jobOf(db, id);
          if (finished.state !== 'succeeded') throw new Error(`the killed import ended ${finished.state}`);
          await checkExactlyOnce(db, id, rowCount);
          context.log(
            `recovery round ${round + 1}: taken over ${Math.round(times.at(-1) ?? 0)} ms after kill -9, ${rowCount} rows once each, attempts ${finished.attempts}`,
          );
        }
      } finally {
        for (const worker of workers) await worker.stop();
        await database.close();
        await service.stop();
      }
      return [
        {
          name: `queue: job taken over after kill -9 (default lease 30 s, 2 workers, ${LOAD_UPLOADS} concurrent uploads)`,
          value: Math.round(median(times)),
          unit: 'ms (median)',
          target: '< 2000 ms, rows exactly once',
          note: `runs ${times.map((t) => Math.round(t)).join(', ')} ms; rows exactly once in every run; uploads still sending at ${loadRunningAtKill} of ${rounds} kills`,
        },
      ];
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
