// One import by the benchmark's `pnpm worker` process: the file registered as a
// finished upload (with its import metadata), its job queued, timed until the
// job succeeds; the worker's RSS sampled meanwhile; the stored rows checked.
import { link, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { megabytesPerSecond, sampleRss } from './bench-processes.ts';
import { clearImportedRows, countImportedRows } from './imported-rows.ts';

export interface WorkerImport {
  url: string;
  uploadDir: string;
  file: string;
  /** Rows the import must store, and reject (the file's bad rows). */
  expected: { rows: number; rejected: number };
  /** Upload metadata, e.g. `{ mapping }`. */
  metadata?: Record<string, string>;
  workerPid: number;
  /** Distinct per import within a scratch database: the upload id is made from it. */
  round: string;
}

export interface Measured {
  rate: number;
  peakRss: number;
}

export async function workerImport(input: WorkerImport): Promise<Measured> {
  const { url, uploadDir, file, expected, workerPid } = input;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const id = `${input.round.padStart(31, '0')}a`;
  try {
    const { size } = await stat(file);
    await link(file, join(uploadDir, id));
    await client.query(
      `INSERT INTO uploads (id, owner, filename, state, size, metadata) VALUES ($1, 'bench', 'import.csv', 'uploaded', $2, $3)`,
      [id, size, JSON.stringify(input.metadata ?? {})],
    );
    const sampler = sampleRss(workerPid);
    const started = performance.now();
    await client.query(`INSERT INTO jobs (upload_id, state, max_attempts) VALUES ($1, 'queued', 1)`, [id]);
    let result: { rows?: number; rowsRejected?: number } = {};
    for (;;) {
      const { rows: jobs } = await client.query('SELECT state, last_error, result FROM jobs WHERE upload_id = $1', [
        id,
      ]);
      if (jobs[0]?.state === 'succeeded') {
        result = jobs[0].result ?? {};
        break;
      }
      if (jobs[0]?.state === 'failed') throw new Error(`import failed: ${jobs[0].last_error}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const ms = performance.now() - started;
    const peakRss = sampler.stop();
    if (result.rows !== expected.rows || result.rowsRejected !== expected.rejected)
      throw new Error(
        `the import reports ${result.rows} rows stored and ${result.rowsRejected} rejected; expected ${expected.rows} and ${expected.rejected}`,
      );
    const stored = await countImportedRows(client, id);
    if (stored !== expected.rows) throw new Error(`imported ${stored} rows, expected ${expected.rows}`);
    await clearImportedRows(client, id);
    await rm(join(uploadDir, id));
    return { rate: megabytesPerSecond(size, ms), peakRss };
  } finally {
    await client.end();
  }
}
