// imported_rows.data holds each row as a JSON array, in the order of the
// import's stored column names: a third less for PostgreSQL to parse than an
// object repeating every key, and the order of the file survives (jsonb sorts
// object keys). These helpers turn a stored row back into a named object.
import type { Kysely } from 'kysely';
import type { Database, JobCheckpoint } from '../../db/schema.ts';
import type { CellValue } from './value-types.ts';

export type RowObject = Record<string, CellValue>;

/** The names of an upload's stored values: the finished import's columns, else the running import's checkpoint. */
function storedColumnNames(
  job: { result: Record<string, unknown> | null; checkpoint: JobCheckpoint | null } | undefined,
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
