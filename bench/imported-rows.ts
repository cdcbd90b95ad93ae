// Where the worker's imported rows are, as the import benchmark counts and
// clears them: the table created for the upload's import (import_destinations).
import type pg from 'pg';

async function importTableOf(client: pg.Client, uploadId: string): Promise<string | null> {
  const { rows } = await client.query(
    `SELECT format('%I.%I', table_schema, table_name) AS name FROM import_destinations WHERE upload_id = $1`,
    [uploadId],
  );
  return (rows[0]?.name as string | undefined) ?? null;
}

/** The rows an upload's finished import stored. */
export async function countImportedRows(client: pg.Client, uploadId: string): Promise<number> {
  const table = await importTableOf(client, uploadId);
  if (table === null) return 0;
  const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${table}`);
  return rows[0]?.n as number;
}

/** Drops the upload's table, so that the next round loads into a new one as the baselines do. */
export async function clearImportedRows(client: pg.Client, uploadId: string): Promise<void> {
  const table = await importTableOf(client, uploadId);
  if (table !== null) await client.query(`DROP TABLE ${table}`);
}
