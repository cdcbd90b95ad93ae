// Where the worker's imported rows are, as the import benchmark counts and
// clears them: the one place to change when the import writes somewhere else
// (the shared imported_rows table today).
import type pg from 'pg';

/** The rows an upload's finished import stored. */
export async function countImportedRows(client: pg.Client, uploadId: string): Promise<number> {
  const { rows } = await client.query('SELECT count(*)::int AS n FROM imported_rows WHERE upload_id = $1', [uploadId]);
  return rows[0]?.n as number;
}

/** Removes an upload's rows, so that the next round starts from an empty table as the baselines do. */
export async function clearImportedRows(client: pg.Client, _uploadId: string): Promise<void> {
  // One upload at a time in the benchmark: TRUNCATE frees the space at once, DELETE would leave it to vacuum.
  await client.query('TRUNCATE imported_rows');
}
