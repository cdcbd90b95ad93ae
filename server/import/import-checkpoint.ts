// Where a resumed import continues: the end of the last committed batch, as
// stored in jobs.checkpoint. One type for the writer (the batch assembler),
// the importer that resumes from it and the readers of a job.
import type { HeaderSummary } from './rows/column-names.ts';

export interface ImportCheckpoint {
  /** File offset just after the batch's last record: where the next read starts. */
  byteOffset: number;
  recordNumber: number;
  lineNumber: number;
  /** The file's column names; empty only before the header was read (no checkpoint is written then). */
  columns: string[];
  /** Names of the stored values, in order (the mapping's targets when there is one). */
  storedColumns?: string[];
  /** Rows refused so far, so a resumed import reports totals for the whole file (absent in checkpoints older than the count). */
  rowsRejected?: number;
  /** The header as read at the start, so a resumed import reports it too. */
  header?: HeaderSummary | null;
  // The sha256 state cannot be serialised: a resumed import re-hashes the prefix.
}

/** Rejected records so far; checkpoints written before the count existed read as 0. */
export function rowsRejectedIn(checkpoint: ImportCheckpoint | null | undefined): number {
  const count = checkpoint?.rowsRejected;
  return typeof count === 'number' ? count : 0;
}
