// Frozen in time: never import application code here, never edit after release.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('label', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('uploads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('filetype', 'text')
    .addColumn('size', 'bigint')
    .addColumn('offset', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('metadata', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('sha256', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .addColumn('file_deleted_at', 'timestamptz')
    .execute();
  // Listing is always "one owner's uploads, newest first".
  await db.schema
    .createIndex('uploads_owner_created_idx')
    .on('uploads')
    .columns(['owner', 'created_at desc', 'id'])
    .execute();
  await db.schema.createIndex('uploads_state_idx').on('uploads').columns(['state', 'updated_at']).execute();

  await db.schema
    .createTable('jobs')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    // One import job per upload: the unique key is what makes enqueueing idempotent.
    .addColumn('upload_id', 'text', (c) => c.notNull().unique().references('uploads.id').onDelete('cascade'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('run_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'timestamptz')
    .addColumn('progress', 'jsonb')
    .addColumn('checkpoint', 'jsonb')
    .addColumn('result', 'jsonb')
    .addColumn('last_error', 'text')
    .addColumn('attempt_errors', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .execute();
  // The claim query scans only runnable jobs in run order.
  await db.schema.createIndex('jobs_runnable_idx').on('jobs').columns(['state', 'run_at', 'id']).execute();

  await db.schema
    .createTable('imported_rows')
    // No foreign key: checking it costs ~45% of COPY time on large imports.
    // Deleting an upload deletes its rows explicitly.
    .addColumn('upload_id', 'text', (c) => c.notNull())
    .addColumn('record_number', 'bigint', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    // The key makes a row written twice impossible, not merely unlikely.
    .addPrimaryKeyConstraint('imported_rows_pkey', ['upload_id', 'record_number'])
    .execute();

  await db.schema
    .createTable('row_errors')
    .addColumn('upload_id', 'text', (c) => c.notNull().references('uploads.id').onDelete('cascade'))
    .addColumn('record_number', 'bigint', (c) => c.notNull())
    .addColumn('line_number', 'bigint', (c) => c.notNull())
    .addColumn('column_name', 'text')
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('raw', 'text')
    .addPrimaryKeyConstraint('row_errors_pkey', ['upload_id', 'record_number'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['row_errors', 'imported_rows', 'jobs', 'uploads', 'api_tokens']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
