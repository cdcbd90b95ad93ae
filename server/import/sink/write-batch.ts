// The statements of one batch commit, shared by the pg and PGlite sinks; each
// sink supplies its own transaction and its own way of running COPY.
import type { JobProgress } from '../../../db/schema.ts';
import { appendToExistingTable } from '../destination/append-to-existing-table.ts';
import type { Destination, DestinationRequest, StoredColumns } from '../destination/destination.ts';
import { destinationFor } from '../destination/destination.ts';
import { prepareDestination, type SqlRunner } from '../destination/destination-sql.ts';
import { copyColumnsOf, loadSettingAsideRefusedRows } from '../destination/load-rows.ts';
import type { Batch, BatchSummary, RowError } from './batch-sink.ts';
import { type CopyCsvFormat, withoutNul } from './copy-csv.ts';
import type { ProgressMeter } from './progress-meter.ts';

/** What a sink's open transaction offers to writeBatch. */
export interface BatchTransaction {
  query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[]; affected: number }>;
  /** `COPY <into> FROM` the CSV pieces written in `format`; no COPY at all when there are none. */
  copy(into: string, format: CopyCsvFormat, pieces: AsyncIterable<Uint8Array>): Promise<void>;
}

export interface BatchTarget {
  uploadId: string;
  jobId: number | string;
  workerId: string;
  leaseMs: number;
  /** Error rows stored per upload; beyond it they are only counted. */
  maxStoredErrors: number;
  request: DestinationRequest;
  /** The destination of these columns: the same for every batch of the import. */
  destination(columns: StoredColumns): Destination;
}

export const DEFAULT_LEASE_MS = 30_000;
export const DEFAULT_MAX_STORED_ERRORS = 10_000;

// After the rows: checking the lease and saving the checkpoint in one UPDATE takes
// the job's row lock, so a worker reclaiming the job waits for this commit or, if
// it got there first, this batch finds 0 rows and the transaction rolls back.
const RECORD_CHECKPOINT = `
  UPDATE jobs
     SET checkpoint = $1::jsonb, progress = $2::jsonb, updated_at = now(),
         locked_until = now() + $3::integer * interval '1 millisecond'
   WHERE id = $4 AND locked_by = $5 AND state = 'running'`;

const COUNT_STORED_ERRORS = 'SELECT count(*)::integer AS stored FROM row_errors WHERE upload_id = $1';

// 5 parameters a row: 1000 rows stay far below the protocol's 65535 limit.
const ERROR_ROWS_PER_INSERT = 1000;

export interface WrittenBatch {
  progress: JobProgress;
  /** Rows PostgreSQL refused, set aside as row errors. */
  refused: number;
}

/**
 * Runs the batch's statements: its rows stream in with COPY as they are read,
 * then its checkpoint and row errors follow. Returns the progress to report,
 * or null when the lease is lost and the caller must roll back.
 */
export async function writeBatch(
  tx: BatchTransaction,
  target: BatchTarget,
  batch: Batch,
  measure: ProgressMeter,
): Promise<WrittenBatch | null> {
  const run: SqlRunner = async (text, params) => (await tx.query(text, params)).rows;
  const destination = target.destination(batch.columns);
  await prepareDestination(run, destination, uploadOf(target));
  // A timestamp without a zone means UTC, whatever the server's TimeZone setting.
  await tx.query("SET LOCAL TimeZone = 'UTC'");
  const refused = destination.owned
    ? await loadSettingAsideRefusedRows(tx, copyColumnsOf(destination), batch, destination)
    : await appendToExistingTable(tx, destination, batch);
  // The rows are in; the checkpoint must wait for the batches before this one to commit.
  const refusedEarlier = await batch.earlierCommitted;
  const summary = withRefused(await batch.summary, refusedEarlier, refused);
  const progress = measure(summary);
  const params = [
    JSON.stringify(summary.checkpoint),
    JSON.stringify(progress),
    Math.round(target.leaseMs),
    target.jobId,
    target.workerId,
  ];
  const { affected } = await tx.query(RECORD_CHECKPOINT, params);
  if (affected === 0) return null;
  if (summary.errors.length > 0) await insertRowErrors(tx, target, summary.errors);
  return { progress, refused: refused.length };
}

function uploadOf(target: BatchTarget): { id: string; filename: string } {
  return { id: target.uploadId, filename: target.request.kind === 'new' ? target.request.filename : '' };
}

/** The batch with the rows PostgreSQL refused counted as rejected, in this batch's checkpoint and all later ones. */
function withRefused(summary: BatchSummary, refusedEarlier: number, refused: RowError[]): BatchSummary {
  if (refusedEarlier === 0 && refused.length === 0) return summary;
  const rowsRejected = (summary.checkpoint.rowsRejected ?? 0) + refusedEarlier + refused.length;
  return {
    ...summary,
    rowCount: summary.rowCount - refused.length,
    errors: [...summary.errors, ...refused].sort((a, b) => a.recordNumber - b.recordNumber),
    checkpoint: { ...summary.checkpoint, rowsRejected },
  };
}

async function insertRowErrors(tx: BatchTransaction, target: BatchTarget, errors: RowError[]): Promise<void> {
  const { rows } = await tx.query(COUNT_STORED_ERRORS, [target.uploadId]);
  const room = target.maxStoredErrors - Number(rows[0]?.stored ?? 0);
  const kept = errors.slice(0, Math.max(room, 0));
  for (let first = 0; first < kept.length; first += ERROR_ROWS_PER_INSERT) {
    const values: unknown[] = [target.uploadId];
    const tuples = kept.slice(first, first + ERROR_ROWS_PER_INSERT).map((error) => {
      const at = values.length;
      values.push(error.recordNumber, error.lineNumber, error.column === null ? null : withoutNul(error.column));
      values.push(withoutNul(error.message), error.raw === null ? null : withoutNul(error.raw));
      return `($1, $${at + 1}, $${at + 2}, $${at + 3}, $${at + 4}, $${at + 5})`;
    });
    await tx.query(
      `INSERT INTO row_errors (upload_id, record_number, line_number, column_name, message, raw) VALUES ${tuples.join(', ')}`,
      values,
    );
  }
}

/** What both batch sinks need to know about the job they write for. */
export interface BatchSinkOptions {
  uploadId: string;
  jobId: number | string;
  /** The `jobs.locked_by` value this worker claimed the job with. */
  workerId: string;
  /** Where the rows go: a new table of the import's own, or an allowed existing one. */
  destination: DestinationRequest;
  /** Each commit extends the job's lease by this much (default 30000 ms). */
  leaseMs?: number;
  /** Error rows stored per upload (default 10000); later ones are only counted. */
  maxStoredErrors?: number;
  /** Called after each committed batch, e.g. to notify progress listeners. */
  onProgress?: (progress: JobProgress) => void;
}

/** The job a batch is written for, with the defaults filled in. */
export function batchTarget(options: BatchSinkOptions): BatchTarget {
  let resolved: Destination | null = null;
  return {
    uploadId: options.uploadId,
    jobId: options.jobId,
    workerId: options.workerId,
    leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
    maxStoredErrors: options.maxStoredErrors ?? DEFAULT_MAX_STORED_ERRORS,
    request: options.destination,
    destination(columns) {
      resolved ??= destinationFor(options.destination, columns);
      return resolved;
    },
  };
}
