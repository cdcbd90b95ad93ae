// BatchSink for a PostgreSQL server: one pooled connection and one transaction
// per batch, rows streamed in with COPY through pg-copy-streams.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { JobProgress } from '../../db/schema.ts';
import type { BatchSink } from './batch-sink.ts';
import { createProgressMeter } from './progress-meter.ts';
import { type BatchTransaction, DEFAULT_LEASE_MS, DEFAULT_MAX_STORED_ERRORS, writeBatch } from './write-batch.ts';

export interface PostgresBatchSinkOptions {
  pool: pg.Pool;
  uploadId: string;
  jobId: number | string;
  /** The `jobs.locked_by` value this worker claimed the job with. */
  workerId: string;
  /** Each commit extends the job's lease by this much (default 30000 ms). */
  leaseMs?: number;
  /** Error rows stored per upload (default 10000); later ones are only counted. */
  maxStoredErrors?: number;
  /** Called after each committed batch, e.g. to notify progress listeners. */
  onProgress?: (progress: JobProgress) => void;
}

const COPY_ROWS = 'COPY imported_rows (upload_id, record_number, data) FROM STDIN';

export function createPostgresBatchSink(options: PostgresBatchSinkOptions): BatchSink {
  const measure = createProgressMeter();
  const target = {
    uploadId: options.uploadId,
    jobId: options.jobId,
    workerId: options.workerId,
    leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
    maxStoredErrors: options.maxStoredErrors ?? DEFAULT_MAX_STORED_ERRORS,
  };
  return {
    async commitBatch(batch) {
      const progress = measure(batch);
      const client = await options.pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const committed = await writeBatch(statementsOn(client), target, batch, progress);
        await client.query(committed ? 'COMMIT' : 'ROLLBACK');
        if (committed) options.onProgress?.(progress);
        return committed;
      } catch (error) {
        // A connection whose rollback fails is in an unknown state: the pool must drop it.
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        throw error;
      } finally {
        client.release(broken);
      }
    },
  };
}

function statementsOn(client: pg.PoolClient): BatchTransaction {
  return {
    async query(text, params) {
      const result = await client.query(text, params);
      return { rows: result.rows, affected: result.rowCount ?? 0 };
    },
    async copyRows(pieces) {
      await pipeline(Readable.from(pieces), client.query(copyFrom(COPY_ROWS)));
    },
  };
}
