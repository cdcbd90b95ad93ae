// The typed shape of every table, as Kysely sees it. Migrations create these
// tables; this file must follow them, never the other way round.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Postgres bigint: pg returns strings, PGlite numbers; `toNumber` normalises. */
type BigIntColumn = ColumnType<string | number, string | number | bigint, string | number | bigint>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

export type UploadState = 'uploading' | 'uploaded' | 'processing' | 'processed' | 'failed' | 'expired';
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface ApiTokensTable {
  id: Generated<number>;
  owner: string;
  /** Keyed SHA-256 of the token; the token itself is never stored. */
  token_hash: string;
  label: string | null;
  created_at: Generated<Timestamp>;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface UploadsTable {
  /** The tus upload id, also the file name on disk. */
  id: string;
  owner: string;
  filename: string;
  filetype: string | null;
  /** Declared length; null while the client defers it. */
  size: BigIntColumn | null;
  /** Bytes received, as last recorded (the store is the live source while uploading). */
  offset: Generated<BigIntColumn>;
  state: UploadState;
  metadata: Json<Record<string, string | null>>;
  sha256: string | null;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
  finished_at: NullableTimestamp;
  file_deleted_at: NullableTimestamp;
}

export interface JobProgress {
  bytesDone: number;
  bytesTotal: number;
  rowsDone: number;
  rowsRejected: number;
  rate: number;
  etaSeconds: number | null;
}

/** Where a resumed import continues: the end of the last committed batch. */
export interface JobCheckpoint {
  byteOffset: number;
  recordNumber: number;
  lineNumber: number;
  columns: string[];
  /** sha256 state cannot be serialised, so the prefix is re-hashed on resume. */
}

export interface JobAttemptError {
  attempt: number;
  at: string;
  message: string;
}

export interface JobsTable {
  id: Generated<number>;
  upload_id: string;
  state: JobState;
  attempts: Generated<number>;
  max_attempts: number;
  run_at: Generated<Timestamp>;
  locked_by: string | null;
  locked_until: NullableTimestamp;
  progress: Json<JobProgress | null> | null;
  checkpoint: Json<JobCheckpoint | null> | null;
  result: Json<Record<string, unknown> | null> | null;
  last_error: string | null;
  attempt_errors: Generated<Json<JobAttemptError[]>>;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
}

export interface ImportedRowsTable {
  upload_id: string;
  record_number: BigIntColumn;
  data: Json<Record<string, string>>;
}

export interface RowErrorsTable {
  upload_id: string;
  record_number: BigIntColumn;
  line_number: BigIntColumn;
  column_name: string | null;
  message: string;
  raw: string | null;
}

export interface Database {
  api_tokens: ApiTokensTable;
  uploads: UploadsTable;
  jobs: JobsTable;
  imported_rows: ImportedRowsTable;
  row_errors: RowErrorsTable;
}

export type Upload = Selectable<UploadsTable>;
export type NewUpload = Insertable<UploadsTable>;
export type UploadUpdate = Updateable<UploadsTable>;
export type Job = Selectable<JobsTable>;
export type ApiToken = Selectable<ApiTokensTable>;

/** Bigint columns arrive as strings from pg and as numbers from PGlite. */
export function toNumber(value: string | number | bigint | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : Number(value);
}
