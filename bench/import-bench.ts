// CSV import against the physical limit: a generated 10-column CSV (quoted
// fields) imported by a real `pnpm worker` process on PostgreSQL, against
// `psql \copy` of the same file into a 10-text-column table; the worker's
// peak RSS; at 3 GiB too in full mode (memory must stay flat); the embedded
// PGlite figure beside it.
import { execFile } from 'node:child_process';
import { link, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freeBytes, IMPORT_COLUMNS, writeImportCsv } from './bench-files.ts';
import {
  MiB,
  mebibytes,
  megabytesPerSecond,
  rssBytes,
  runScript,
  sampleRss,
  spawnWorker,
  waitForText,
} from './bench-processes.ts';
import { type BenchContext, type BenchResult, median, ratio, withScratchDatabase } from './bench-support.ts';

const run = promisify(execFile);
const GiB = 1024 * MiB;

interface Measured {
  rate: number;
  peakRss: number;
}

/** `psql \copy` of the file into a fresh 10-text-column table: the floor for loading CSV into Postgres. */
async function psqlCopyRate(url: string, file: string, bytes: number): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `DROP TABLE IF EXISTS copy_baseline; CREATE TABLE copy_baseline (${IMPORT_COLUMNS.map((c) => `${c} text`).join(', ')})`,
    );
    const started = performance.now();
    await run('psql', [url, '-v', 'ON_ERROR_STOP=1', '-c', `\\copy copy_baseline FROM '${file}' CSV HEADER`]);
    const ms = performance.now() - started;
    await client.query('DROP TABLE copy_baseline');
    return megabytesPerSecond(bytes, ms);
  } finally {
    await client.end();
  }
}

/** Rows in the upload's import table. */
async function importedRowCount(client: pg.Client, uploadId: string): Promise<number> {
  const { rows } = await client.query(
    `SELECT format('%I.%I', table_schema, table_name) AS name FROM import_destinations WHERE upload_id = $1`,
    [uploadId],
  );
  if (!rows[0]) return 0;
  const { rows: counted } = await client.query(`SELECT count(*)::int AS n FROM ${rows[0].name}`);
  return counted[0].n;
}

async function dropImportTable(client: pg.Client, uploadId: string): Promise<void> {
  const { rows } = await client.query(
    `SELECT format('%I.%I', table_schema, table_name) AS name FROM import_destinations WHERE upload_id = $1`,
    [uploadId],
  );
  if (rows[0]) await client.query(`DROP TABLE ${rows[0].name}`);
}

/** Queues the file's import and waits for the worker process to finish it; checks the row count. */
async function workerImport(
  url: string,
  uploadDir: string,
  file: string,
  rows: number,
  workerPid: number,
  round: string,
): Promise<Measured> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const id = `${round.padStart(31, '0')}a`;
  try {
    const { size } = await stat(file);
    await link(file, join(uploadDir, id));
    await client.query(
      `INSERT INTO uploads (id, owner, filename, state, size, metadata) VALUES ($1, 'bench', 'import.csv', 'uploaded', $2, '{}')`,
      [id, size],
    );
    const sampler = sampleRss(workerPid);
    const started = performance.now();
    await client.query(`INSERT INTO jobs (upload_id, state, max_attempts) VALUES ($1, 'queued', 1)`, [id]);
    for (;;) {
      const { rows: jobs } = await client.query('SELECT state, last_error FROM jobs WHERE upload_id = $1', [id]);
      if (jobs[0]?.state === 'succeeded') break;
      if (jobs[0]?.state === 'failed') throw new Error(`import failed: ${jobs[0].last_error}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const ms = performance.now() - started;
    const peakRss = sampler.stop();
    const imported = await importedRowCount(client, id);
    if (imported !== rows) throw new Error(`imported ${imported} rows, the file has ${rows}`);
    // The next round's table is a new one, as the baseline's is.
    await dropImportTable(client, id);
    await rm(join(uploadDir, id));
    return { rate: megabytesPerSecond(size, ms), peakRss };
  } finally {
    await client.end();
  }
}

/** Imports into embedded PGlite in a child process (bench/scripts/embedded-import.ts). */
async function embeddedCase(context: BenchContext, dir: string, bytes: number): Promise<BenchResult> {
  const file = join(dir, `embedded-${mebibytes(bytes)}.csv`);
  const rows = await writeImportCsv(file, bytes);
  try {
    const { size } = await stat(file);
    const embedded = await runScript<{ ms: number; rows: number; peakRss: number }>(
      'bench/scripts/embedded-import.ts',
      { file },
    );
    if (embedded.rows !== rows) throw new Error(`PGlite imported ${embedded.rows} rows, the file has ${rows}`);
    const rate = megabytesPerSecond(size, embedded.ms);
    context.log(`embedded PGlite import of ${mebibytes(size)} MiB: ${rate} MB/s`);
    return {
      name: `import ${mebibytes(size)} MiB CSV, embedded PGlite (pnpm start without DATABASE_URL)`,
      value: rate,
      unit: 'MB/s',
      note: `process peak RSS ${mebibytes(embedded.peakRss)} MiB, PGlite's WebAssembly heap included`,
    };
  } finally {
    await rm(file, { force: true });
  }
}

async function importCase(
  context: BenchContext,
  dir: string,
  bytes: number,
  runs: number,
  baseline: boolean,
): Promise<BenchResult[]> {
  const file = join(dir, `import-${mebibytes(bytes)}.csv`);
  const rows = await writeImportCsv(file, bytes);
  const { size } = await stat(file);
  const label = `import ${mebibytes(size)} MiB CSV (10 quoted columns, ${rows} rows)`;
  try {
    const results = await withScratchDatabase(context.adminUrl, async (url) => {
      const uploadDir = join(dir, 'uploads');
      await mkdir(uploadDir, { recursive: true });
      const worker = await spawnWorker({
        DATABASE_URL: url,
        UPLOAD_DIR: uploadDir,
        DATA_DIR: dir,
        WORKER_CONCURRENCY: '1',
        JOB_POLL_INTERVAL_MS: '100',
        LOG_LEVEL: 'info',
      });
      try {
        await waitForText(worker, /worker started/);
        const idleRss = rssBytes(worker.pid);
        const copies: number[] = [];
        const imports: Measured[] = [];
        for (let round = 0; round < runs; round++) {
          if (baseline) copies.push(await psqlCopyRate(url, file, size));
          imports.push(await workerImport(url, uploadDir, file, rows, worker.pid, `${mebibytes(size)}${round}`));
          context.log(
            `${label}, run ${round + 1}: worker ${imports.at(-1)?.rate} MB/s${baseline ? `, psql \\copy ${copies.at(-1)} MB/s` : ''}`,
          );
        }
        const rate = median(imports.map((m) => m.rate));
        const copyRate = baseline ? median(copies) : 0;
        return [
          baseline
            ? {
                name: `${label}, Postgres worker`,
                value: rate,
                unit: 'MB/s',
                baseline: { name: 'psql \\copy into 10 text columns', value: copyRate },
                ratio: ratio(rate, copyRate),
                target: '>= 0.4x',
              }
            : {
                name: `${label}, Postgres worker`,
                value: rate,
                unit: 'MB/s',
                note: 'no \\copy baseline at this size (time): compare with the 1 GiB row',
              },
          {
            name: `${label}: worker peak RSS`,
            value: mebibytes(Math.max(...imports.map((m) => m.peakRss))),
            unit: 'MiB',
            target: '< 100 MB',
            note: `idle ${mebibytes(idleRss)} MiB before the import`,
          },
        ] satisfies BenchResult[];
      } finally {
        await worker.stop();
      }
    });
    return results;
  } finally {
    await rm(file, { force: true });
  }
}

export async function importBench(context: BenchContext): Promise<BenchResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'csvup-bench-import-'));
  try {
    if (context.quick)
      return [...(await importCase(context, dir, 32 * MiB, 1, true)), await embeddedCase(context, dir, 32 * MiB)];
    // PGlite imports at a few MB/s: a 1 GiB file would take most of the run, 128 MiB shows the rate.
    const results = [...(await importCase(context, dir, GiB, 2, true)), await embeddedCase(context, dir, 128 * MiB)];
    // The 3 GiB file, its rows in Postgres (jsonb, about twice the CSV) and the baseline table at once.
    const needed = 3 * GiB * 5;
    const free = await freeBytes(dir);
    if (free < needed) {
      context.log(`3 GiB import skipped: ${mebibytes(free)} MiB free, ${mebibytes(needed)} MiB needed`);
      results.push({
        name: 'import 3 GiB CSV',
        value: 0,
        unit: 'skipped',
        note: `not enough disk: ${mebibytes(free)} MiB free, ${mebibytes(needed)} MiB needed`,
      });
    } else results.push(...(await importCase(context, dir, 3 * GiB, 1, false)));
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
