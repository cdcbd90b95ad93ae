import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDatabaseKinds, openTestDatabase, type TestDatabase } from '../test/support/import-testbed.ts';
import { migrateTo, migrateToLatest } from './migrate.ts';

const kinds = await availableDatabaseKinds();

describe.each(kinds)('migration 0004 (row values as arrays) on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(() => database?.close());

  it('turns rows stored as objects into arrays in the order of the import’s columns, and back', async () => {
    const { db } = database.handle;
    await migrateTo(db, '0003_tus_concatenation');
    const finished = 'a'.repeat(32);
    const running = 'b'.repeat(32);
    for (const id of [finished, running]) {
      await db
        .insertInto('uploads')
        .values({ id, owner: 'o', filename: 'f.csv', state: 'uploaded', metadata: '{}' })
        .execute();
    }
    await db
      .insertInto('jobs')
      .values([
        {
          upload_id: finished,
          state: 'succeeded',
          max_attempts: 1,
          result: JSON.stringify({ columns: ['zeta', 'alpha', 'n'] }),
        },
        { upload_id: running, state: 'running', max_attempts: 1, checkpoint: JSON.stringify({ columns: ['only'] }) },
      ] as never)
      .execute();
    await sql`INSERT INTO imported_rows (upload_id, record_number, data) VALUES
      (${finished}, 1, '{"alpha": "a", "zeta": "z", "n": 7}'),
      (${running}, 1, '{"only": "x"}')`.execute(db);

    await migrateToLatest(db);
    const rows = await sql<{ upload_id: string; data: unknown }>`
      SELECT upload_id, data FROM imported_rows ORDER BY upload_id`.execute(db);
    expect(rows.rows.map((row) => row.data)).toEqual([['z', 'a', 7], ['x']]);

    await db
      .updateTable('jobs')
      .set({ checkpoint: JSON.stringify({ columns: ['only'], storedColumns: ['only'] }) as never })
      .where('upload_id', '=', running)
      .execute();
    await migrateTo(db, '0003_tus_concatenation');
    const back = await sql<{ data: unknown }>`SELECT data FROM imported_rows ORDER BY upload_id`.execute(db);
    expect(back.rows.map((row) => row.data)).toEqual([{ zeta: 'z', alpha: 'a', n: 7 }, { only: 'x' }]);
    await migrateToLatest(db);
  });
});
