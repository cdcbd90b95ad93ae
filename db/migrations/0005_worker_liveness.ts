// Frozen in time. Worker processes register themselves with the key of the
// session-level advisory lock each holds on a connection of its own: a row
// whose lock is gone is a dead process, and its jobs can be handed over at
// once. jobs.lost_workers counts such crashes, which spend no attempt.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('workers')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('lock_key', 'bigint', (col) => col.notNull())
    .addColumn('hostname', 'text', (col) => col.notNull())
    .addColumn('pid', 'integer', (col) => col.notNull())
    .addColumn('started_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('seen_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .alterTable('jobs')
    .addColumn('lost_workers', 'integer', (col) => col.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').dropColumn('lost_workers').execute();
  await db.schema.dropTable('workers').execute();
}
