// The statements that make, register, finish and drop an import's table, run
// through whichever connection the caller holds (a batch's transaction, or
// Kysely on either database).
import { ImportFileError } from '../import-errors.ts';
import { type Destination, type DestinationRequest, RECORD_NUMBER_COLUMN, type TableColumn } from './destination.ts';
import { qualifiedName, quoteIdentifier } from './sql-names.ts';

/** Runs one statement with parameters and returns its rows. */
export type SqlRunner = (text: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

/** A text literal for statements that take no parameters (COMMENT ON). */
function literal(text: string): string {
  return `'${text.replaceAll('\u0000', '').replaceAll("'", "''")}'`;
}

export function tableOf(destination: Destination): string {
  return qualifiedName(destination.schema, destination.table);
}

/**
 * Creates the import's own table unless an earlier attempt did, and records
 * where the upload's rows are. Run in the first batch's transaction, so a
 * table exists exactly when some batch of it committed.
 */
export async function prepareDestination(
  run: SqlRunner,
  destination: Destination,
  upload: { id: string; filename: string },
): Promise<void> {
  const table = tableOf(destination);
  if (destination.owned) {
    const [found] = await run('SELECT to_regclass($1) IS NOT NULL AS present', [table]);
    if (found?.present !== true) {
      const columns = destination.columns.map((c) => `${quoteIdentifier(c.column)} ${c.sqlType}`);
      // No key yet: it is built once the rows are in, which is faster than keeping an index up per row.
      await run(
        `CREATE TABLE ${table} (${quoteIdentifier(RECORD_NUMBER_COLUMN)} bigint NOT NULL, ${columns.join(', ')})`,
      );
      await run(`COMMENT ON TABLE ${table} IS ${literal(`Rows of ${upload.filename} (upload ${upload.id})`)}`);
      await run(
        `COMMENT ON COLUMN ${table}.${quoteIdentifier(RECORD_NUMBER_COLUMN)} IS ${literal('The record number in the file (1 = first data row)')}`,
      );
      for (const column of destination.columns) {
        const note = column.header === null ? column.name : column.header;
        await run(`COMMENT ON COLUMN ${table}.${quoteIdentifier(column.column)} IS ${literal(note)}`);
      }
    }
  }
  await run(
    `INSERT INTO import_destinations (upload_id, table_schema, table_name, columns, owned)
     VALUES ($1, $2, $3, $4::jsonb, $5) ON CONFLICT (upload_id) DO NOTHING`,
    [upload.id, destination.schema, destination.table, JSON.stringify(destination.columns), destination.owned],
  );
}

/**
 * Builds the primary key on the record number of an import's own table, once
 * all rows are in: if any record were there twice, this fails, so its
 * success proves each was loaded once. Done already on a resumed attempt.
 */
export async function buildRecordNumberKey(run: SqlRunner, destination: Destination): Promise<boolean> {
  const table = tableOf(destination);
  const [existing] = await run(
    'SELECT count(*)::integer AS keys FROM pg_index WHERE indrelid = to_regclass($1) AND indisprimary',
    [table],
  );
  if (Number(existing?.keys ?? 0) > 0) return true;
  await run(`ALTER TABLE ${table} ADD PRIMARY KEY (${quoteIdentifier(RECORD_NUMBER_COLUMN)})`);
  return true;
}

/** The columns and primary key of an existing table, for appending to it. */
export async function readExistingTable(
  run: SqlRunner,
  schema: string,
  table: string,
): Promise<{ tableColumns: TableColumn[]; primaryKey: string[] }> {
  const name = qualifiedName(schema, table);
  const [found] = await run('SELECT to_regclass($1)::oid AS oid', [name]);
  if (found?.oid === null || found?.oid === undefined)
    throw new ImportFileError(`The import target ${schema}.${table} does not exist`, { code: 'INVALID_MAPPING' });
  const columns = await run(
    `SELECT attname AS column, format_type(atttypid, atttypmod) AS sql_type
       FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    [found.oid],
  );
  const key = await run(
    `SELECT a.attname AS column
       FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position)
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = $1 AND i.indisprimary ORDER BY k.position`,
    [found.oid],
  );
  return {
    tableColumns: columns.map((row) => ({ column: String(row.column), sqlType: String(row.sql_type) })),
    primaryKey: key.map((row) => String(row.column)),
  };
}

/** Drops an import's own table (DELETE of the upload); an existing table appended to is left alone. */
export async function dropImportTable(
  run: SqlRunner,
  destination: { table_schema: string; table_name: string; owned: boolean },
): Promise<void> {
  if (!destination.owned) return;
  await run(`DROP TABLE IF EXISTS ${qualifiedName(destination.table_schema, destination.table_name)}`);
}

/** Makes IMPORT_SCHEMA exist (the migrations create `imports`); two workers doing so at once is fine. */
export async function ensureImportSchema(run: SqlRunner, request: DestinationRequest): Promise<void> {
  if (request.kind !== 'new') return;
  const [found] = await run('SELECT 1 AS present FROM pg_namespace WHERE nspname = $1', [request.schema]);
  if (found) return;
  await run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(request.schema)}`).catch(async (error: unknown) => {
    // A concurrent CREATE SCHEMA can still lose the race on the catalog's unique index.
    const [now] = await run('SELECT 1 AS present FROM pg_namespace WHERE nspname = $1', [request.schema]);
    if (!now) throw error;
  });
}
