import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDatabaseKinds, openTestDatabase, type TestDatabase } from '../test/support/import-testbed.ts';
import { migrateTo, migrateToLatest } from './migrate.ts';

const kinds = await availableDatabaseKinds();

describe.each(kinds)('migration 0005 (worker liveness) on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(() => database?.close());

  async function tableExists(): Promise<boolean> {
    const result = await sql<{ exists: boolean }>`SELECT to_regclass('workers') IS NOT NULL AS exists`.execute(
      database.handle.db,
    );
    return result.rows[0]?.exists === true;
  }

  it('adds the workers table and jobs.lost_workers (0 for existing jobs), and removes both going down', async () => {
    const { db } = database.handle;
    await migrateTo(db, '0004_row_value_arrays');
    expect(await tableExists()).toBe(false);
    const id = 'c'.repeat(32);
    await db
      .insertInto('uploads')
      .values({ id, owner: 'o', filename: 'f.csv', state: 'uploaded', metadata: '{}' })
      .execute();
    await sql`INSERT INTO jobs (upload_id, state, max_attempts) VALUES (${id}, 'running', 3)`.execute(db);

    await migrateToLatest(db);
    expect(await tableExists()).toBe(true);
    const job = await db
      .selectFrom('jobs')
      .select('lost_workers')
      .where('upload_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(job.lost_workers).toBe(0);
    await db.insertInto('workers').values({ id: 'w', lock_key: '-42', hostname: 'h', pid: 1 }).execute();
    const worker = await db.selectFrom('workers').selectAll().executeTakeFirstOrThrow();
    expect(worker.lock_key).toBe(-42);

    await migrateTo(db, '0004_row_value_arrays');
    expect(await tableExists()).toBe(false);
    const columns = await sql<{ column_name: string }>`
      SELECT column_name FROM information_schema.columns WHERE table_name = 'jobs'`.execute(db);
    expect(columns.rows.map((row) => row.column_name)).not.toContain('lost_workers');
    expect(columns.rows.map((row) => row.column_name)).toContain('locked_by');
    await migrateToLatest(db);
  });
});
