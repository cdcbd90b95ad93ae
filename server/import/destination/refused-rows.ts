// Reading PostgreSQL's refusal of one row out of a COPY: the SQLSTATE says
// whether it is about the data (a bad value, a violated constraint) rather
// than the connection or the statement, and the error's context names the
// line of the COPY input and often the column.
import type { RowError } from '../sink/batch-sink.ts';
import type { RowOrigins } from '../sink/row-origins.ts';
import type { Destination } from './destination.ts';

interface DatabaseErrorFields {
  code?: string;
  where?: string;
  message?: string;
  detail?: string;
}

/** Class 22 (data exception) and 23 (integrity constraint violation): the row is at fault, not the import. */
export function isRowRefusal(error: unknown): boolean {
  const code = (error as DatabaseErrorFields | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

/** The 1-based line of the COPY input PostgreSQL refused, or null when its context names none. */
export function refusedCopyLine(error: unknown): number | null {
  if (!isRowRefusal(error)) return null;
  const where = (error as DatabaseErrorFields).where ?? '';
  const match = /\bCOPY [^,]+, line (\d+)/.exec(where);
  return match ? Number(match[1]) : null;
}

/** The refusal as a row error of the record at `index` of the batch. */
export function refusedRowError(
  error: unknown,
  origins: RowOrigins,
  index: number,
  destination: Destination,
  /** The row's values as they were sent to PostgreSQL, without the record number. */
  values: string | null,
): RowError {
  const fields = error as DatabaseErrorFields;
  const sqlColumn = /, column ([^:]+):/.exec(fields.where ?? '')?.[1];
  const column = destination.columns.find((c) => c.column === sqlColumn);
  const detail = fields.detail ? ` (${fields.detail})` : '';
  return {
    recordNumber: origins.recordNumber(index),
    lineNumber: origins.lineNumber(index),
    column: column ? (column.header ?? column.name) : null,
    message: `PostgreSQL refused the row: ${fields.message ?? String(error)}${detail}`,
    raw: values,
  };
}
