// Frozen in time. How imported rows are stored, chosen by measuring COPY of a
// 200 MB import (bench/ and the README's import section):
// - data is a JSON array of the row's values in the order of the import's stored
//   column names (jobs.result.columns, or the checkpoint's storedColumns while
//   running) instead of an object repeating every key: a third less to parse,
//   and the file's column order survives;
// - data is `json`, not `jsonb`: rows are written once and read back whole, and
//   jsonb's binary conversion cost PostgreSQL more than the rest of COPY did
//   (`data::jsonb` still gives its operators in a query);
// - upload_id compares bytewise (COLLATE "C"): ids are hex, and the primary key
//   index is maintained for every row COPY writes.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    UPDATE imported_rows AS r
       SET data = (
         SELECT coalesce(jsonb_agg(r.data -> c.name ORDER BY c.position), '[]'::jsonb)
           FROM jobs AS j
          CROSS JOIN LATERAL jsonb_array_elements_text(
                  coalesce(j.result -> 'columns', j.checkpoint -> 'columns', '[]'::jsonb)
                ) WITH ORDINALITY AS c(name, position)
          WHERE j.upload_id = r.upload_id)
     WHERE jsonb_typeof(r.data) = 'object'`.execute(db);
  await sql`ALTER TABLE imported_rows ALTER COLUMN data TYPE json USING data::json`.execute(db);
  await sql`ALTER TABLE imported_rows ALTER COLUMN upload_id TYPE text COLLATE "C"`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE imported_rows ALTER COLUMN upload_id TYPE text COLLATE "default"`.execute(db);
  await sql`ALTER TABLE imported_rows ALTER COLUMN data TYPE jsonb USING data::jsonb`.execute(db);
  await sql`
    UPDATE imported_rows AS r
       SET data = (
         SELECT coalesce(jsonb_object_agg(c.name, r.data -> (c.position::int - 1)), '{}'::jsonb)
           FROM jobs AS j
          CROSS JOIN LATERAL jsonb_array_elements_text(
                  coalesce(j.result -> 'columns', j.checkpoint -> 'storedColumns', '[]'::jsonb)
                ) WITH ORDINALITY AS c(name, position)
          WHERE j.upload_id = r.upload_id)
     WHERE jsonb_typeof(r.data) = 'array'`.execute(db);
}
