// The job result of an import, as stored in jobs.result and shown by
// GET /api/uploads/:id, the event stream, the CLI and the web UI: one type
// for every reader. Results stored by earlier versions may lack fields, so
// readers get it as Partial.
import type { DestinationSummary } from './destination/destination.ts';
import type { ImportSummary } from './import-summary.ts';

export interface ImportJobResult extends Omit<ImportSummary, 'sha256' | 'storedColumns'> {
  /** The table the rows are in; null when the file had no record at all. */
  destination: DestinationSummary | null;
  /** The record the last attempt resumed after (0: it read the whole file). */
  resumedFromRecord: number;
}

/** A stored result as its readers see it. */
export type StoredImportResult = Partial<ImportJobResult>;
