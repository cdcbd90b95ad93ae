// BatchSink for embedded PGlite: the batch runs as one PGlite transaction while
// Kysely's connection is held, and rows arrive by COPY from an in-memory blob.
import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { BatchSink } from './batch-sink.ts';
import { createProgressMeter } from './progress-meter.ts';
import { type BatchSinkOptions, type BatchTransaction, batchTarget, writeBatch } from './write-batch.ts';

export interface EmbeddedBatchSinkOptions extends BatchSinkOptions {
  db: Kysely<Database>;
  pglite: PGlite;
}

const COPY_ROWS = "COPY imported_rows (upload_id, record_number, data) FROM '/dev/blob'";

export function createEmbeddedBatchSink(options: EmbeddedBatchSinkOptions): BatchSink {
  const measure = createProgressMeter();
  const target = batchTarget(options);
  return {
    async commitBatch(batch) {
      const progress = measure(batch);
      let committed = false;
      // PGlite has a single connection. Holding Kysely's (which Kysely hands out one
      // at a time) keeps every other query of the process out of this transaction.
      await options.db.connection().execute(async () => {
        await options.pglite.transaction(async (tx) => {
          committed = await writeBatch(statementsOn(tx), target, batch, progress);
          if (!committed) await tx.rollback();
        });
      });
      if (committed) options.onProgress?.(progress);
      return committed;
    },
  };
}

function statementsOn(tx: Transaction): BatchTransaction {
  return {
    async query(text, params) {
      const result = await tx.query<Record<string, unknown>>(text, params);
      return { rows: result.rows, affected: result.affectedRows ?? 0 };
    },
    async copyRows(pieces) {
      // pg-copy-streams speaks the wire protocol PGlite does not emulate; /dev/blob is PGlite's own COPY input.
      await tx.query(COPY_ROWS, [], { blob: new Blob([...pieces] as BlobPart[]) });
    },
  };
}
