// CSV import against the physical limit: a generated 10-column CSV (quoted
// fields) imported by a real `pnpm worker` process on PostgreSQL, side by side
// with `psql \copy` and pgloader loading the same file into a table of the
// same columns; the worker's peak RSS; the file under a typed mapping against
// \copy into a typed table, and with 1% bad values against the clean file; at
// 3 GiB too in full mode (memory must stay flat); the embedded PGlite figure.
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeBytes, writeImportCsv } from './bench-files.ts';
import {
  MiB,
  mebibytes,
  megabytesPerSecond,
  rssBytes,
  runScript,
  spawnWorker,
  waitForText,
} from './bench-processes.ts';
import { type BenchContext, type BenchResult, median, ratio, withScratchDatabase } from './bench-support.ts';
import { psqlCopyRate } from './copy-baseline.ts';
import { tableColumns, typedColumnsLabel, typedMappingMetadata } from './import-columns.ts';
import { type PgloaderRun, pgloaderRate, pgloaderVersion } from './pgloader-baseline.ts';
import { type Measured, workerImport } from './worker-import.ts';

const GiB = 1024 * MiB;
/** Every hundredth row of the dirty file has a bad id: 1%. */
const BAD_EVERY = 100;

/** Imports into embedded PGlite in a child process (bench/scripts/embedded-import.ts). */
async function embeddedCase(context: BenchContext, dir: string, bytes: number): Promise<BenchResult> {
  const file = join(dir, `embedded-${mebibytes(bytes)}.csv`);
  const { rows } = await writeImportCsv(file, bytes);
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

interface CaseOptions {
  bytes: number;
  runs: number;
  /** Also the typed mapping, on the clean and on the dirty file. */
  typed: boolean;
  pgloader: string;
}

/** Per round: each baseline and each worker import once, one after another, so that all see the same machine. */
interface Rounds {
  copies: number[];
  loads: PgloaderRun[];
  imports: Measured[];
  typedCopies: number[];
  typedImports: Measured[];
  dirtyImports: Measured[];
}

const rates = (runs: { rate: number }[]) => median(runs.map((r) => r.rate));
const runsNote = (values: number[]) => (values.length > 1 ? `runs ${values.join(', ')}` : undefined);
const notes = (...parts: (string | undefined)[]) => parts.filter(Boolean).join('; ') || undefined;

function caseResults(label: string, options: CaseOptions, measured: Rounds, idleRss: number, bad: number) {
  const rate = rates(measured.imports);
  const copyRate = median(measured.copies);
  const pgloader = rates(measured.loads);
  const peak = (runs: Measured[]) => mebibytes(Math.max(...runs.map((m) => m.peakRss)));
  const results: BenchResult[] = [
    {
      name: `${label}, Postgres worker`,
      value: rate,
      unit: 'MB/s',
      baseline: { name: 'psql \\copy into 10 text columns', value: copyRate },
      ratio: ratio(rate, copyRate),
      target: '>= 0.8x',
      note: runsNote(measured.imports.map((m) => m.rate)),
    },
    {
      name: `${label}, Postgres worker against pgloader`,
      value: rate,
      unit: 'MB/s',
      baseline: { name: `pgloader ${options.pgloader} into 10 text columns`, value: pgloader },
      ratio: ratio(rate, pgloader),
      target: '> 1x',
      note: notes(
        `pgloader (default settings) peak RSS ${peak(measured.loads)} MiB, up to ${Math.max(...measured.loads.map((l) => l.peakThreads))} threads`,
        measured.loads.length < options.runs
          ? 'one run (minutes per GiB)'
          : runsNote(measured.loads.map((l) => l.rate)),
      ),
    },
    {
      name: `${label}: worker peak RSS`,
      value: peak([...measured.imports, ...measured.typedImports, ...measured.dirtyImports]),
      unit: 'MiB',
      target: '< 100 MB',
      note: notes(
        `idle ${mebibytes(idleRss)} MiB before the import`,
        options.typed
          ? `text ${peak(measured.imports)} MiB, typed mapping ${peak(measured.typedImports)} MiB, 1% bad values ${peak(measured.dirtyImports)} MiB`
          : undefined,
      ),
    },
  ];
  if (!options.typed) return results;
  const typedRate = rates(measured.typedImports);
  const typedCopyRate = median(measured.typedCopies);
  const dirtyRate = rates(measured.dirtyImports);
  results.push(
    {
      name: `${label}, typed mapping (${typedColumnsLabel()}), Postgres worker`,
      value: typedRate,
      unit: 'MB/s',
      baseline: { name: 'psql \\copy into a table of those types', value: typedCopyRate },
      ratio: ratio(typedRate, typedCopyRate),
      target: '>= 0.8x',
      note: runsNote(measured.typedImports.map((m) => m.rate)),
    },
    {
      name: `${label}, 1% bad ids ('n/a'), typed mapping, Postgres worker`,
      value: dirtyRate,
      unit: 'MB/s',
      baseline: { name: 'the clean file, same mapping', value: typedRate },
      ratio: ratio(dirtyRate, typedRate),
      target: '>= 0.67x (costs <= 1.5x the clean file)',
      note: notes(
        `costs ${ratio(typedRate, dirtyRate)}x the clean file's time per MB`,
        `${bad} rows rejected, as many as written`,
        runsNote(measured.dirtyImports.map((m) => m.rate)),
      ),
    },
  );
  return results;
}

async function importCase(context: BenchContext, dir: string, options: CaseOptions): Promise<BenchResult[]> {
  const file = join(dir, `import-${mebibytes(options.bytes)}.csv`);
  const dirtyFile = join(dir, `import-${mebibytes(options.bytes)}-dirty.csv`);
  const { rows } = await writeImportCsv(file, options.bytes);
  const dirty = options.typed ? await writeImportCsv(dirtyFile, options.bytes, BAD_EVERY) : { rows: 0, badRows: 0 };
  const { size } = await stat(file);
  const label = `import ${mebibytes(size)} MiB CSV (10 quoted columns, ${rows} rows)`;
  const mapping = { mapping: typedMappingMetadata() };
  try {
    return await withScratchDatabase(context.adminUrl, async (url) => {
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
        const measured: Rounds = {
          copies: [],
          loads: [],
          imports: [],
          typedCopies: [],
          typedImports: [],
          dirtyImports: [],
        };
        const clean = { rows, rejected: 0 };
        const common = { url, uploadDir, workerPid: worker.pid };
        for (let round = 0; round < options.runs; round++) {
          const id = (kind: number) => `${mebibytes(size)}${round}${kind}`;
          measured.copies.push(await psqlCopyRate(url, file, size, rows, tableColumns(false)));
          // pgloader loads a few MB/s here: a second round would add minutes per GiB and tell little more.
          if (round === 0) measured.loads.push(await pgloaderRate(url, file, size, rows, tableColumns(false)));
          measured.imports.push(await workerImport({ ...common, file, expected: clean, round: id(0) }));
          let line = `${label}, run ${round + 1}: worker ${measured.imports.at(-1)?.rate} MB/s, psql \\copy ${measured.copies.at(-1)} MB/s, pgloader ${round === 0 ? `${measured.loads.at(-1)?.rate} MB/s` : 'not run'}`;
          if (options.typed) {
            measured.typedCopies.push(await psqlCopyRate(url, file, size, rows, tableColumns(true)));
            measured.typedImports.push(
              await workerImport({ ...common, file, expected: clean, metadata: mapping, round: id(1) }),
            );
            const expected = { rows: dirty.rows - dirty.badRows, rejected: dirty.badRows };
            measured.dirtyImports.push(
              await workerImport({ ...common, file: dirtyFile, expected, metadata: mapping, round: id(2) }),
            );
            line += `; typed: worker ${measured.typedImports.at(-1)?.rate} MB/s, psql \\copy ${measured.typedCopies.at(-1)} MB/s, 1% bad ${measured.dirtyImports.at(-1)?.rate} MB/s`;
          }
          context.log(line);
        }
        return caseResults(label, options, measured, idleRss, dirty.badRows);
      } finally {
        await worker.stop();
      }
    });
  } finally {
    await rm(file, { force: true });
    await rm(dirtyFile, { force: true });
  }
}

export async function importBench(context: BenchContext): Promise<BenchResult[]> {
  // Before any file is written: without pgloader the benchmark has no second baseline.
  const pgloader = await pgloaderVersion();
  const dir = await mkdtemp(join(tmpdir(), 'csvup-bench-import-'));
  try {
    if (context.quick)
      return [
        ...(await importCase(context, dir, { bytes: 32 * MiB, runs: 1, typed: true, pgloader })),
        await embeddedCase(context, dir, 32 * MiB),
      ];
    // PGlite imports at a few MB/s: a 1 GiB file would take most of the run, 128 MiB shows the rate.
    const results = [
      ...(await importCase(context, dir, { bytes: GiB, runs: 2, typed: true, pgloader })),
      await embeddedCase(context, dir, 128 * MiB),
    ];
    // The 3 GiB file, its rows in Postgres (jsonb, about twice the CSV) and a baseline table at once.
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
    } else results.push(...(await importCase(context, dir, { bytes: 3 * GiB, runs: 1, typed: false, pgloader })));
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
