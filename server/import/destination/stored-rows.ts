// Reads an upload's imported rows back, a keyset page at a time, as objects
// keyed by the stored column names: from the import's own table, or from
// imported_rows for imports made before tables per import (migration 0006).
import { CompiledQuery, type Kysely } from 'kysely';
import type { Database, DestinationColumnRecord } from '../../../db/schema.ts';
import type { ImportCheckpoint } from '../import-checkpoint.ts';
import type { StoredImportResult } from '../import-result.ts';
import type { CellValue } from '../rows/value-types.ts';
import { RECORD_NUMBER_COLUMN } from './destination.ts';
import { qualifiedName, quoteIdentifier } from './sql-names.ts';

export type RowObject = Record<string, CellValue>;

export interface StoredRow {
  recordNumber: number;
  data: RowObject;
}

/** A page of rows, or where they are when they were appended to an existing table (which holds other rows too). */
export type RowsPage = { rows: StoredRow[] } | { appendedTo: string };

/** The names of an upload's stored values: the finished import's columns, else the running import's checkpoint. */
function storedColumnNames(
  job: { result: StoredImportResult | null; checkpoint: ImportCheckpoint | null } | undefined,
): string[] {
  const fromResult = job?.result?.columns;
  if (Array.isArray(fromResult)) return fromResult as string[];
  return job?.checkpoint?.storedColumns ?? job?.checkpoint?.columns ?? [];
}

/** The stored column names of an upload's import, read from its job. */
export async function storedColumnNamesOf(db: Kysely<Database>, uploadId: string): Promise<string[]> {
  const job = await db
    .selectFrom('jobs')
    .select(['result', 'checkpoint'])
    .where('upload_id', '=', uploadId)
    .executeTakeFirst();
  return storedColumnNames(job);
}

/** Rows after record number `after`, at most `limit`, in file order. */
export async function readImportRows(
  db: Kysely<Database>,
  uploadId: string,
  after: number,
  limit: number,
): Promise<RowsPage> {
  const destination = await db
    .selectFrom('import_destinations')
    .select(['table_schema', 'table_name', 'columns', 'owned'])
    .where('upload_id', '=', uploadId)
    .executeTakeFirst();
  if (destination && !destination.owned) return { appendedTo: `${destination.table_schema}.${destination.table_name}` };
  if (destination) return { rows: await readTableRows(db, destination, after, limit) };
  const rows = await db
    .selectFrom('imported_rows')
    .select(['record_number', 'data'])
    .where('upload_id', '=', uploadId)
    .where('record_number', '>', after)
    .orderBy('record_number')
    .limit(limit)
    .execute();
  const names = await storedColumnNamesOf(db, uploadId);
  return { rows: rows.map((row) => ({ recordNumber: Number(row.record_number), data: rowObject(names, row.data) })) };
}

async function readTableRows(
  db: Kysely<Database>,
  destination: { table_schema: string; table_name: string; columns: DestinationColumnRecord[] },
  after: number,
  limit: number,
): Promise<StoredRow[]> {
  const { columns } = destination;
  // One JSON array per row: both drivers parse it the same way. numeric as text, so 0.1 stays exact;
  // timestamptz as ISO 8601 in UTC with a Z, whatever the session's time zone.
  const values = columns.map(({ column, sqlType }) => {
    const name = quoteIdentifier(column);
    if (sqlType === 'numeric') return `${name}::text`;
    if (sqlType === 'timestamptz') return `(to_json(${name} AT TIME ZONE 'UTC') #>> '{}') || 'Z'`;
    return name;
  });
  const key = quoteIdentifier(RECORD_NUMBER_COLUMN);
  const table = qualifiedName(destination.table_schema, destination.table_name);
  const result = await db.executeQuery<{ record_number: string | number; data: CellValue[] | string }>(
    CompiledQuery.raw(
      `SELECT ${key} AS record_number, ${jsonArrayOf(values)} AS data
         FROM ${table} WHERE ${key} > $1 ORDER BY ${key} LIMIT $2`,
      [after, limit],
    ),
  );
  const names = columns.map((c) => c.name);
  return result.rows.map((row) => ({
    recordNumber: Number(row.record_number),
    data: rowObject(names, typeof row.data === 'string' ? JSON.parse(row.data) : row.data),
  }));
}

/** A function takes at most 100 arguments: wider rows are built 100 values at a time and joined (jsonb keeps array order). */
export function jsonArrayOf(values: readonly string[]): string {
  if (values.length <= 100) return `json_build_array(${values.join(', ')})`;
  const parts: string[] = [];
  for (let i = 0; i < values.length; i += 100) parts.push(`jsonb_build_array(${values.slice(i, i + 100).join(', ')})`);
  return `(${parts.join(' || ')})`;
}

/** A stored row as an object keyed by column name, in column order. */
export function rowObject(names: readonly string[], values: readonly CellValue[]): RowObject {
  const row: RowObject = {};
  for (let i = 0; i < names.length; i++) {
    // Plain assignment to "__proto__" would set the prototype instead of a key.
    Object.defineProperty(row, names[i], {
      value: values[i] ?? null,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return row;
}
