// `psql \copy` of the benchmark file into a fresh table: the floor for loading
// CSV into PostgreSQL, and the first baseline of the import benchmark.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { megabytesPerSecond } from './bench-processes.ts';

const run = promisify(execFile);

/**
 * Loads `file` into a new table of `columns` (CREATE TABLE column definitions)
 * and returns MB/s; fails unless psql reports `rows` rows copied.
 */
export async function psqlCopyRate(
  url: string,
  file: string,
  bytes: number,
  rows: number,
  columns: string,
): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP TABLE IF EXISTS copy_baseline; CREATE TABLE copy_baseline (${columns})`);
    const started = performance.now();
    const { stdout } = await run('psql', [
      url,
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      `\\copy copy_baseline FROM '${file}' CSV HEADER`,
    ]);
    const ms = performance.now() - started;
    const copied = Number(stdout.match(/COPY (\d+)/)?.[1]);
    if (copied !== rows) throw new Error(`psql \\copy loaded ${copied} rows, the file has ${rows}: ${stdout}`);
    await client.query('DROP TABLE copy_baseline');
    return megabytesPerSecond(bytes, ms);
  } finally {
    await client.end();
  }
}
