// The typed shape of every table, as Kysely sees it. Migrations create these
// tables; this file must follow them, never the other way round.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { ImportCheckpoint } from '../server/import/import-checkpoint.ts';

/** bigint: the pg type parser and PGlite both return numbers (all values stay below 2^53). */
type BigIntColumn = ColumnType<number, number | string | bigint, number | string | bigint>;
type NullableBigInt = ColumnType<
  number | null,
  number | string | bigint | null | undefined,
  number | string | bigint | null
>;
type BigIntWithDefault = ColumnType<number, number | string | bigint | undefined, number | string | bigint>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** jsonb: written as JSON text, read back parsed. */
type Json<T> = ColumnType<T, string, string>;
type NullableJson<T> = ColumnType<T | null, string | null | undefined, string | null>;
type JsonWithDefault<T> = ColumnType<T, string | undefined, string>;

export type UploadState = 'uploading' | 'uploaded' | 'processing' | 'processed' | 'failed' | 'expired';
export type ConcatRole = 'partial' | 'final';
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface ApiTokensTable {
  id: Generated<number>;
  owner: string;
  /** Keyed SHA-256 of the token; the token itself is never stored. */
  token_hash: string;
  label: string | null;
  created_at: Timestamp;
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
  size: NullableBigInt;
  /** Bytes received, as last recorded (the store is the live source while uploading). */
  offset: BigIntWithDefault;
  state: UploadState;
  metadata: Json<Record<string, string | null>>;
  sha256: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  finished_at: NullableTimestamp;
  file_deleted_at: NullableTimestamp;
  /** tus concatenation: `partial` (a piece, never imported alone), `final` (assembled), null (plain). */
  concat_role: ColumnType<ConcatRole | null, ConcatRole | null | undefined, ConcatRole | null>;
}

export interface JobProgress {
  bytesDone: number;
  bytesTotal: number;
  rowsDone: number;
  rowsRejected: number;
  rate: number;
  etaSeconds: number | null;
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
  /** Id of the request that finished the upload: joins its log line to the job's. */
  request_id: string | null;
  attempts: Generated<number>;
  max_attempts: number;
  run_at: Timestamp;
  locked_by: string | null;
  locked_until: NullableTimestamp;
  progress: NullableJson<JobProgress>;
  checkpoint: NullableJson<ImportCheckpoint>;
  result: NullableJson<Record<string, unknown>>;
  last_error: string | null;
  attempt_errors: JsonWithDefault<JobAttemptError[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
  /** Workers that died (their session ended) while running it; such a crash spends no attempt. */
  lost_workers: Generated<number>;
}

/** A live worker process (PostgreSQL only): it holds the advisory lock `lock_key` on a session of its own. */
export interface WorkersTable {
  /** The `jobs.locked_by` value of the jobs it claims. */
  id: string;
  /** Session-level advisory lock key; no holder in pg_locks = the process is gone. */
  lock_key: BigIntColumn;
  hostname: string;
  pid: number;
  started_at: Timestamp;
  seen_at: Timestamp;
}

export interface ImportedRowsTable {
  upload_id: string;
  record_number: BigIntColumn;
  /** Values as the mapping typed them: text, numbers, booleans, null for empty typed cells. */
  /** The row's values in the order of the job's stored column names (ImportCheckpoint.storedColumns, result.columns). */
  data: Json<Array<string | number | boolean | null>>;
}

/** A column of an import's destination table, in the order of the stored columns. */
export interface DestinationColumnRecord {
  /** The stored column name: the key of a row's values in the API. */
  name: string;
  /** The SQL identifier of the column in the table. */
  column: string;
  /** The header cell it came from, as the file spells it (null without a header or for an existing table). */
  header: string | null;
  type: string;
  sqlType: string;
}

/** Which table an upload's rows are in. */
export interface ImportDestinationsTable {
  upload_id: string;
  table_schema: string;
  table_name: string;
  columns: Json<DestinationColumnRecord[]>;
  /** Created for this import and dropped with the upload; false: an existing table the rows were appended to. */
  owned: boolean;
  created_at: Timestamp;
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
  workers: WorkersTable;
  imported_rows: ImportedRowsTable;
  import_destinations: ImportDestinationsTable;
  row_errors: RowErrorsTable;
}

export type Upload = Selectable<UploadsTable>;
export type NewUpload = Insertable<UploadsTable>;
export type UploadUpdate = Updateable<UploadsTable>;
export type Job = Selectable<JobsTable>;
export type ApiToken = Selectable<ApiTokensTable>;

/** Defensive conversion for aggregate results (sum() of bigint is numeric: a string from pg). */
export function toNumber(value: string | number | bigint | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : Number(value);
}
