// The contract between the CSV import loop and the database: a sink commits
// one batch (rows, row errors, checkpoint, progress) atomically, or refuses it.
// A batch's rows stream in while the file is read; the rest of it is known
// once its last record was read.

import type { StoredColumns } from '../destination/destination.ts';
import type { ImportCheckpoint } from '../import-checkpoint.ts';
import type { CopyCsvFormat } from './copy-csv.ts';
import type { RowOrigins } from './row-origins.ts';

export interface RowError {
  recordNumber: number;
  lineNumber: number;
  column: string | null;
  message: string;
  raw: string | null;
}

/** What a batch holds besides its rows, known once its last record was read. */
export interface BatchSummary {
  /** Rows the batch's COPY input holds. */
  rowCount: number;
  /** The record and line number of each row, in the order of the COPY input. */
  origins: RowOrigins;
  errors: RowError[];
  checkpoint: ImportCheckpoint;
  bytesDone: number;
  bytesTotal: number;
  /** File offset this attempt started reading at; sinks measure the rate from it. */
  attemptStartOffset?: number;
}

export interface Batch {
  /**
   * The rows as COPY CSV lines of the destination table (UTF-8, whole lines,
   * in order; see CopyCsvBuffer), produced while the file is read: the iteration ends
   * when the batch is complete, and throws when the import gave up on it.
   */
  rows: AsyncIterable<Uint8Array>;
  /** The columns the rows hold (known before the first row of the import). */
  columns: StoredColumns;
  /** The CSV delimiter and quote the rows are written with. */
  format: CopyCsvFormat;
  /** Settles with the rest of the batch once `rows` has ended. */
  summary: Promise<BatchSummary>;
  /**
   * Settles once every earlier batch of this attempt has committed, with the rows the
   * database refused in them (the checkpoint counts them as rejected); rejects once one
   * of them failed. A sink awaits it before recording the batch's checkpoint, so that
   * checkpoints commit in file order even while two batches' rows stream in at once.
   */
  earlierCommitted: Promise<number>;
  /** Hands a piece of `rows` back for reuse once its bytes were sent (or copied): optional, saves memory churn. */
  reuse(piece: Uint8Array): void;
}

export interface BatchSink {
  /**
   * Writes the batch's rows and errors and records its checkpoint, all in ONE
   * transaction. Returns false (and writes nothing) when the job no longer
   * belongs to this worker (lease lost / cancelled): the import must then stop.
   * Otherwise it says how many rows PostgreSQL refused (a bad value, a
   * constraint): those were set aside as row errors and the rest committed.
   * It may return without reading the rows only when it returns false or throws.
   */
  commitBatch(batch: Batch): Promise<CommittedBatch | false>;
  /**
   * Batches whose rows may stream into the database at once, each in a transaction of
   * its own (default 1: one after another). Only the first batch of an attempt runs
   * alone: it creates the table the others write into.
   */
  readonly concurrentBatches?: number;
}

export interface CommittedBatch {
  /** Rows PostgreSQL refused, now row errors. */
  refused: number;
}

/** The job was taken over or cancelled while this worker was importing it. */
export class LeaseLostError extends Error {
  constructor(message = 'The job is no longer leased to this worker') {
    super(message);
    this.name = 'LeaseLostError';
  }
}
