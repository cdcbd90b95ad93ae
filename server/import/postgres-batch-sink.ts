// BatchSink for a PostgreSQL server: one pooled connection and one transaction
// per batch, rows streamed in with COPY through pg-copy-streams.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { BatchSink } from './batch-sink.ts';
import { createProgressMeter } from './progress-meter.ts';
import { type BatchSinkOptions, type BatchTransaction, batchTarget, writeBatch } from './write-batch.ts';

export interface PostgresBatchSinkOptions extends BatchSinkOptions {
  pool: pg.Pool;
}

const COPY_ROWS = 'COPY imported_rows (upload_id, record_number, data) FROM STDIN';

export function createPostgresBatchSink(options: PostgresBatchSinkOptions): BatchSink {
  const measure = createProgressMeter();
  const target = batchTarget(options);
  return {
    async commitBatch(batch) {
      const progress = measure(batch);
      const client = await options.pool.connect();
      let broken: Error | undefined;
      // The pool listens for errors of idle clients only: a connection dying mid-COPY
      // (database restarted) would otherwise emit an unhandled 'error' and end the process.
      const onConnectionError = (error: Error) => {
        broken ??= error;
      };
      client.on('error', onConnectionError);
      try {
        // A batch's rows and its checkpoint commit together, so a batch lost in a database
        // crash is one the checkpoint does not count either: the retry reads it again.
        // Not waiting for the WAL flush per batch is therefore safe, and ~7% faster.
        // (The job's completion is a normal commit, which flushes every batch before it.)
        await client.query('BEGIN; SET LOCAL synchronous_commit = off');
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
        client.off('error', onConnectionError);
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
