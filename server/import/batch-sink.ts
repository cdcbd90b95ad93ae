// The contract between the CSV import loop and the database: a sink commits
// one batch (rows, row errors, checkpoint, progress) atomically, or refuses it.
import type { JobCheckpoint } from '../../db/schema.ts';
import type { HeaderSummary } from './column-names.ts';

/** A batch's rows, already encoded as COPY text lines of imported_rows (see CopyTextBuffer). */
export interface EncodedRows {
  count: number;
  /** UTF-8 bytes, whole lines in order. */
  pieces: Uint8Array[];
  /** Called once the sink no longer reads `pieces`: their memory is reused. */
  release(): void;
}

export interface RowError {
  recordNumber: number;
  lineNumber: number;
  column: string | null;
  message: string;
  raw: string | null;
}

/**
 * The checkpoint this importer writes: a `JobCheckpoint` that also carries the
 * rejected count, so the totals of a resumed import cover the whole file.
 */
export interface ImportCheckpoint extends JobCheckpoint {
  rowsRejected: number;
  /** The header as read at the start, so a resumed import reports it too. */
  header?: HeaderSummary | null;
}

export interface Batch {
  rows: EncodedRows;
  errors: RowError[];
  checkpoint: JobCheckpoint;
  bytesDone: number;
  bytesTotal: number;
  /** File offset this attempt started reading at; sinks measure the rate from it. */
  attemptStartOffset?: number;
}

export interface BatchSink {
  /**
   * Writes the batch's rows and errors and records its checkpoint, all in ONE
   * transaction. Returns false (and writes nothing) when the job no longer
   * belongs to this worker (lease lost / cancelled): the import must then stop.
   */
  commitBatch(batch: Batch): Promise<boolean>;
}

/** The job was taken over or cancelled while this worker was importing it. */
export class LeaseLostError extends Error {
  constructor(message = 'The job is no longer leased to this worker') {
    super(message);
    this.name = 'LeaseLostError';
  }
}

/** Rejected records so far; checkpoints written before the count existed read as 0. */
export function rowsRejectedIn(checkpoint: JobCheckpoint | null | undefined): number {
  const count = (checkpoint as Partial<ImportCheckpoint> | null | undefined)?.rowsRejected;
  return typeof count === 'number' ? count : 0;
}
