// Where the worker's imported rows are, as the import benchmark counts and
// clears them: the table created for the upload's import.
import type pg from 'pg';
import { findImportTable, pgRunner } from '../test/support/import-tables.ts';

/** The rows an upload's finished import stored. */
export async function countImportedRows(client: pg.Client, uploadId: string): Promise<number> {
  const table = await findImportTable(pgRunner(client), uploadId);
  if (table === null) return 0;
  // count(*) alone: a count of distinct record numbers over 19 M rows would add a minute per round.
  const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${table}`);
  return rows[0]?.n as number;
}

/** Drops the upload's table, so that the next round loads into a new one as the baselines do. */
export async function clearImportedRows(client: pg.Client, uploadId: string): Promise<void> {
  const table = await findImportTable(pgRunner(client), uploadId);
  if (table !== null) await client.query(`DROP TABLE ${table}`);
}
