// Tests' view of where an upload's rows landed: its import table, and the
// counts that prove each record is there once.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { SqlRunner } from '../../server/import/destination/destination-sql.ts';
import { kyselyRunner } from '../../server/import/destination/kysely-runner.ts';
import { qualifiedName } from '../../server/import/destination/sql-names.ts';

type Runner = Kysely<Database> | SqlRunner;

function runnerOf(db: Runner): SqlRunner {
  return typeof db === 'function' ? db : kyselyRunner(db);
}

/** `"imports"."name_abcdef12"`: the table created for the upload's import, or null before it exists. */
export async function findImportTable(db: Runner, uploadId: string): Promise<string | null> {
  const [row] = await runnerOf(db)('SELECT table_schema, table_name FROM import_destinations WHERE upload_id = $1', [
    uploadId,
  ]);
  return row ? qualifiedName(String(row.table_schema), String(row.table_name)) : null;
}

/** The table created for the upload's import (throws when there is none). */
export async function importTableOf(db: Runner, uploadId: string): Promise<string> {
  const table = await findImportTable(db, uploadId);
  if (table === null) throw new Error(`upload ${uploadId} has no import table`);
  return table;
}

export interface RecordStats {
  n: number;
  distinct_n: number;
  max_n: number;
}

/** Rows, distinct record numbers and the highest one in the upload's import table (zeros before it exists). */
export async function recordStats(db: Runner, uploadId: string): Promise<RecordStats> {
  const run = runnerOf(db);
  const table = await findImportTable(run, uploadId);
  if (table === null) return { n: 0, distinct_n: 0, max_n: 0 };
  const [stats] = await run(
    `SELECT count(*)::int AS n, count(DISTINCT record_number)::int AS distinct_n, coalesce(max(record_number), 0)::int AS max_n FROM ${table}`,
  );
  return { n: Number(stats.n), distinct_n: Number(stats.distinct_n), max_n: Number(stats.max_n) };
}

/** A pg client or pool as a runner. */
export function pgRunner(client: { query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }> }): SqlRunner {
  return async (text, params) => (await client.query(text, params)).rows as Record<string, unknown>[];
}
