// Real `pnpm worker` processes for the queue and fault suites, and the check
// that an import ended with exactly the file's rows: none lost, none twice.

import type { Kysely } from 'kysely';
import { expect } from 'vitest';
import type { Database } from '../../db/schema.ts';
import { recordStats } from './import-tables.ts';
import { type RunningProcess, runWorkerProcess, waitForOutput } from './service-process.ts';

export interface WorkerProcessOptions {
  databaseUrl: string;
  uploadDir: string;
  dataDir: string;
  /** JOB_LEASE_MS (default 5000): how soon a dead worker's job is taken over. */
  leaseMs?: number;
  env?: Record<string, string>;
}

/** Starts `count` worker processes (one job slot each) and waits until each polls for jobs. */
export async function startWorkerProcesses(count: number, options: WorkerProcessOptions): Promise<RunningProcess[]> {
  const started = await Promise.all(
    Array.from({ length: count }, () =>
      runWorkerProcess({
        DATABASE_URL: options.databaseUrl,
        UPLOAD_DIR: options.uploadDir,
        DATA_DIR: options.dataDir,
        WORKER_CONCURRENCY: '1',
        JOB_LEASE_MS: String(options.leaseMs ?? 5000),
        JOB_POLL_INTERVAL_MS: '200',
        LOG_LEVEL: 'info',
        ...options.env,
      }),
    ),
  );
  await Promise.all(started.map((w) => waitForOutput(w, /worker started/)));
  return started;
}

/** Exactly records 1..rowCount of the upload are stored, each once. */
export async function expectExactRows(db: Kysely<Database>, uploadId: string, rowCount: number): Promise<void> {
  expect(await recordStats(db, uploadId)).toEqual({ n: rowCount, distinct_n: rowCount, max_n: rowCount });
}
