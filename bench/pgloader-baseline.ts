// pgloader (Debian's package, its default settings) loading the benchmark file
// into a fresh table: the second baseline of the import benchmark, the tool
// people reach for when psql's COPY is not enough. pgloader puts rows it cannot
// load aside and still exits 0, so its summary and the table are both checked.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { megabytesPerSecond, rssBytes, threadCount } from './bench-processes.ts';

export interface PgloaderRun {
  rate: number;
  peakRss: number;
  peakThreads: number;
}

const TABLE = 'pgloader_baseline';
const NOT_INSTALLED =
  "pgloader, the import benchmark's second baseline, did not run: install Debian's pgloader package";

/** `pgloader version "3.6.7~devel"` → `3.6.7~devel`, for the results. */
export async function pgloaderVersion(): Promise<string> {
  const stdout = await promisify(execFile)('pgloader', ['--version']).then(
    (done) => done.stdout,
    (error: Error) => {
      throw new Error(`${NOT_INSTALLED} (${error.message})`);
    },
  );
  return stdout.match(/version "([^"]+)"/)?.[1] ?? stdout.trim();
}

/** The load command: the file's header names the fields; the table is new, so nothing is truncated. */
function loadCommand(file: string, url: string): string {
  const target = new URL(url);
  target.protocol = 'postgresql:';
  return `LOAD CSV
  FROM '${file}'
  INTO ${target.toString()}
  TARGET TABLE ${TABLE}
  WITH csv header,
       fields optionally enclosed by '"',
       fields escaped by double-quote,
       fields terminated by ','
;
`;
}

/** Errors and rows of the summary's last line ("Total import time  ✓  16384  2.1 MB  0.712s"; ✓ is no error). */
export function summaryTotals(output: string): { errors: number; rows: number } | null {
  const match = output.match(/Total import time\s+(\S+)\s+(\d+)\s/);
  if (!match) return null;
  return { errors: match[1] === '✓' ? 0 : Number(match[1]), rows: Number(match[2]) };
}

async function runPgloader(commandFile: string, rootDir: string): Promise<{ ms: number } & Omit<PgloaderRun, 'rate'>> {
  const started = performance.now();
  const child = spawn('pgloader', ['--root-dir', rootDir, commandFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  let peakRss = 0;
  let peakThreads = 0;
  const sample = () => {
    if (!child.pid) return;
    peakRss = Math.max(peakRss, rssBytes(child.pid));
    peakThreads = Math.max(peakThreads, threadCount(child.pid));
  };
  const sampler = setInterval(sample, 50);
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  const code = await exited
    .catch((error: Error) => {
      throw new Error(`${NOT_INSTALLED} (${error.message})`);
    })
    .finally(() => clearInterval(sampler));
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`pgloader failed (exit ${code}):\n${output}`);
  const totals = summaryTotals(output);
  if (!totals) throw new Error(`pgloader printed no summary:\n${output}`);
  if (totals.errors > 0) throw new Error(`pgloader reported ${totals.errors} errors (see ${rootDir}):\n${output}`);
  return { ms, peakRss, peakThreads };
}

/** Loads `file` into a new table of `columns` with pgloader; fails unless exactly `rows` rows arrived. */
export async function pgloaderRate(
  url: string,
  file: string,
  bytes: number,
  rows: number,
  columns: string,
): Promise<PgloaderRun> {
  const dir = await mkdtemp(join(tmpdir(), 'csvup-bench-pgloader-'));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const commandFile = join(dir, 'load.load');
    await writeFile(commandFile, loadCommand(file, url));
    await client.query(`DROP TABLE IF EXISTS ${TABLE}; CREATE TABLE ${TABLE} (${columns})`);
    const { ms, peakRss, peakThreads } = await runPgloader(commandFile, dir);
    const { rows: counted } = await client.query(`SELECT count(*)::int AS n FROM ${TABLE}`);
    if (counted[0]?.n !== rows) throw new Error(`pgloader loaded ${counted[0]?.n} rows, the file has ${rows}`);
    await client.query(`DROP TABLE ${TABLE}`);
    // Kept when pgloader failed: its log and rejected rows are in there.
    await rm(dir, { recursive: true, force: true });
    return { rate: megabytesPerSecond(bytes, ms), peakRss, peakThreads };
  } finally {
    await client.end();
  }
}
