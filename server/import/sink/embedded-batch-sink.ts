// BatchSink for embedded PGlite: the batch runs as one PGlite transaction while
// Kysely's connection is held, and rows arrive by COPY from an in-memory blob.
import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { Kysely } from 'kysely';
import type { Database } from '../../../db/schema.ts';
import type { BatchSink } from './batch-sink.ts';
import { copyCsvOptions } from './copy-csv.ts';
import { createProgressMeter } from './progress-meter.ts';
import {
  type BatchSinkOptions,
  type BatchTransaction,
  batchTarget,
  type WrittenBatch,
  writeBatch,
} from './write-batch.ts';

export interface EmbeddedBatchSinkOptions extends BatchSinkOptions {
  db: Kysely<Database>;
  pglite: PGlite;
}

export function createEmbeddedBatchSink(options: EmbeddedBatchSinkOptions): BatchSink {
  const measure = createProgressMeter();
  const target = batchTarget(options);
  return {
    async commitBatch(batch) {
      // The whole batch is read first: PGlite's COPY takes one blob, and its single
      // connection must not wait for the file while the rest of the process needs it.
      const pieces: Uint8Array[] = [];
      for await (const piece of batch.rows) pieces.push(piece);
      const ready = { ...batch, rows: inOrder(pieces) };
      let written: WrittenBatch | null = null;
      // Holding Kysely's connection (which Kysely hands out one at a time) keeps
      // every other query of the process out of this transaction.
      await options.db.connection().execute(async () => {
        await options.pglite.transaction(async (tx) => {
          written = await writeBatch(statementsOn(tx), target, ready, measure);
          if (!written) await tx.rollback();
        });
      });
      if (!written) return false;
      const { progress, refused } = written as WrittenBatch;
      options.onProgress?.(progress);
      return { refused };
    },
  };
}

function statementsOn(tx: Transaction): BatchTransaction {
  return {
    async query(text, params) {
      const result = await tx.query<Record<string, unknown>>(text, params);
      return { rows: result.rows, affected: result.affectedRows ?? 0 };
    },
    async copy(into, format, pieces) {
      const parts: Uint8Array[] = [];
      for await (const piece of pieces) parts.push(piece);
      if (parts.length === 0) return;
      // pg-copy-streams speaks the wire protocol PGlite does not emulate; /dev/blob is PGlite's own COPY input.
      const blob = new Blob(parts as BlobPart[]);
      await tx.query(`COPY ${into} FROM '/dev/blob' ${copyCsvOptions(format)}`, [], { blob });
    },
  };
}

async function* inOrder(pieces: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* pieces;
}
