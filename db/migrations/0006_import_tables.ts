// Frozen in time. Each import gets a table of its own with one column per CSV
// column, in the schema `imports` (IMPORT_SCHEMA may name another, created on
// first use), or appends to an allowed existing table. import_destinations
// says which table an upload's rows are in, with the columns' original names.
// Imports made before this migration stay readable in imported_rows.
//
// down() moves the rows of every table created for an import back into
// imported_rows as JSON arrays (the layout of 0004), so nothing is lost.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE SCHEMA IF NOT EXISTS imports`.execute(db);
  await db.schema
    .createTable('import_destinations')
    .addColumn('upload_id', 'text', (col) => col.primaryKey().references('uploads.id').onDelete('cascade'))
    .addColumn('table_schema', 'text', (col) => col.notNull())
    .addColumn('table_name', 'text', (col) => col.notNull())
    // [{ name, column, header, type, sqlType }] in the order of the stored columns.
    .addColumn('columns', 'jsonb', (col) => col.notNull())
    // Created for this import (dropped with the upload), or an existing table the rows were appended to.
    .addColumn('owned', 'boolean', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
}

interface DestinationRow {
  upload_id: string;
  table_schema: string;
  table_name: string;
  columns: { column: string; sqlType: string }[];
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<DestinationRow>`
    SELECT d.upload_id, d.table_schema, d.table_name, d.columns
      FROM import_destinations d
     WHERE d.owned AND to_regclass(quote_ident(d.table_schema) || '.' || quote_ident(d.table_name)) IS NOT NULL`.execute(
    db,
  );
  for (const destination of rows) {
    const table = sql.id(destination.table_schema, destination.table_name);
    // numeric as text: 0004's arrays held decimals as exact strings, not JSON numbers.
    const values = destination.columns.map(({ column, sqlType }) =>
      sqlType === 'numeric' ? sql`${sql.id(column)}::text` : sql.id(column),
    );
    // A function takes at most 100 arguments: wider rows are built in parts and joined (jsonb keeps array order).
    const parts = [];
    for (let i = 0; i < values.length; i += 100)
      parts.push(sql`jsonb_build_array(${sql.join(values.slice(i, i + 100))})`);
    await sql`
      INSERT INTO imported_rows (upload_id, record_number, data)
      SELECT ${destination.upload_id}, record_number, (${sql.join(parts, sql` || `)})::json
        FROM ${table}`.execute(db);
    await sql`DROP TABLE ${table}`.execute(db);
  }
  await db.schema.dropTable('import_destinations').execute();
  // Only when empty: tables people created there themselves are not ours to drop.
  const { rows: left } = await sql<{ count: number }>`
    SELECT count(*)::integer AS count FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'imports'`.execute(db);
  if (Number(left[0]?.count ?? 0) === 0) await sql`DROP SCHEMA IF EXISTS imports`.execute(db);
}
