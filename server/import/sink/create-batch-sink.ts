// The one place that chooses how batches reach the database: COPY through
// pg-copy-streams on a PostgreSQL server, PGlite's own COPY when embedded.
import type { DatabaseHandle } from '../../../db/client.ts';
import type { BatchSink } from './batch-sink.ts';
import { createEmbeddedBatchSink } from './embedded-batch-sink.ts';
import { createPostgresBatchSink } from './postgres-batch-sink.ts';
import type { BatchSinkOptions } from './write-batch.ts';

export function createBatchSink(database: DatabaseHandle, options: BatchSinkOptions): BatchSink {
  return database.kind === 'postgres'
    ? createPostgresBatchSink({ ...options, pool: database.pool })
    : createEmbeddedBatchSink({ ...options, db: database.db, pglite: database.pglite });
}
