// BatchSink for embedded PGlite: the batch runs as one PGlite transaction while
// Kysely's connection is held, and rows arrive by COPY from an in-memory blob.
import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { Kysely } from 'kysely';
import type { Database, JobProgress } from '../../db/schema.ts';
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
      // The whole batch is read first: PGlite's COPY takes one blob, and its single
      // connection must not wait for the file while the rest of the process needs it.
      const pieces: Uint8Array[] = [];
      for await (const piece of batch.rows) pieces.push(piece);
      const ready = { rows: inOrder(pieces), summary: batch.summary, reuse: batch.reuse };
      let progress: JobProgress | null = null;
      // Holding Kysely's connection (which Kysely hands out one at a time) keeps
      // every other query of the process out of this transaction.
      await options.db.connection().execute(async () => {
        await options.pglite.transaction(async (tx) => {
          progress = await writeBatch(statementsOn(tx), target, ready, measure);
          if (!progress) await tx.rollback();
        });
      });
      if (progress) options.onProgress?.(progress);
      return progress !== null;
    },
  };
}

function statementsOn(tx: Transaction): BatchTransaction {
  return {
    async query(text, params) {
      const result = await tx.query<Record<string, unknown>>(text, params);
      return { rows: result.rows, affected: result.affectedRows ?? 0 };
    },
    async copyRows(pieces, reuse) {
      const parts: Uint8Array[] = [];
      for await (const piece of pieces) parts.push(piece);
      if (parts.length === 0) return;
      // pg-copy-streams speaks the wire protocol PGlite does not emulate; /dev/blob is PGlite's own COPY input.
      const blob = new Blob(parts as BlobPart[]);
      // The blob holds a copy of the bytes.
      for (const piece of parts) reuse(piece);
      await tx.query(COPY_ROWS, [], { blob });
    },
  };
}

async function* inOrder(pieces: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* pieces;
}
