// Frozen in time. tus concatenation: which uploads are partials (pieces of a
// parallel upload, never imported on their own) and which are finals.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('uploads').addColumn('concat_role', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('uploads').dropColumn('concat_role').execute();
}
