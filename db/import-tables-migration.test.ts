import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { readImportRows } from '../server/import/destination/stored-rows.ts';
import { fileImportSource } from '../server/import/source/import-source.ts';
import { createImportJobHandler } from '../server/queue/import-job-handler.ts';
import { availableDatabaseKinds, createRunningJob, useImportTestbed } from '../test/support/import-testbed.ts';
import { migrateTo, migrateToLatest } from './migrate.ts';
import type { Job } from './schema.ts';

const kinds = await availableDatabaseKinds();
const silent = { info() {}, warn() {}, error() {}, debug() {} } as never;

describe.each(kinds)('migration 0006 (a table per import) on %s', (kind) => {
  const testbed = useImportTestbed(kind);

  it('keeps imports made before it readable, and its down moves every import table back into imported_rows', async () => {
    const { handle } = testbed.database;
    const { db } = handle;
    // An import stored the old way, before 0006.
    await migrateTo(db, '0005_worker_liveness');
    const legacy = 'c'.repeat(32);
    await db
      .insertInto('uploads')
      .values({ id: legacy, owner: 'o', filename: 'old.csv', state: 'processed', metadata: '{}' })
      .execute();
    await db
      .insertInto('jobs')
      .values({
        upload_id: legacy,
        state: 'succeeded',
        max_attempts: 1,
        result: JSON.stringify({ columns: ['a', 'b'] }),
      } as never)
      .execute();
    await sql`INSERT INTO imported_rows (upload_id, record_number, data) VALUES (${legacy}, 1, '["x", 2]')`.execute(db);
    await migrateToLatest(db);
    expect(await readImportRows(db, legacy, 0, 10)).toEqual({ rows: [{ recordNumber: 1, data: { a: 'x', b: 2 } }] });

    // An import made after it, typed, into its own table.
    const job = await createRunningJob(handle);
    const mapping = JSON.stringify([
      { source: 'n', type: 'integer' },
      { source: 'price', type: 'decimal' },
      { source: 'note' },
    ]);
    await db
      .updateTable('uploads')
      .set({ metadata: JSON.stringify({ mapping }) })
      .where('id', '=', job.uploadId)
      .execute();
    const path = await testbed.fixtures.file('new.csv', 'n,price,note\n1,0.10,a\n2,,"b\tc"\n');
    const handler = createImportJobHandler({
      database: handle,
      uploadSource: () => fileImportSource(path),
      leaseMs: 30_000,
    });
    const row = await db.selectFrom('jobs').selectAll().where('id', '=', job.jobId).executeTakeFirstOrThrow();
    await handler(row as Job, { workerId: job.workerId, signal: new AbortController().signal, logger: silent });
    await db
      .updateTable('jobs')
      .set({ result: JSON.stringify({ columns: ['n', 'price', 'note'] }) })
      .where('id', '=', job.jobId)
      .execute();
    const before = await readImportRows(db, job.uploadId, 0, 10);

    await migrateTo(db, '0005_worker_liveness');
    const moved = await sql<{ record_number: number; data: unknown }>`
      SELECT record_number::int AS record_number, data FROM imported_rows WHERE upload_id = ${job.uploadId} ORDER BY record_number`.execute(
      db,
    );
    expect(moved.rows).toEqual([
      { record_number: 1, data: [1, '0.10', 'a'] },
      { record_number: 2, data: [2, null, 'b\tc'] },
    ]);
    const tables = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = 'imports'`.execute(
      db,
    );
    expect(tables.rows[0].n).toBe(0);

    // Up again: both imports read as they did, from imported_rows now.
    await migrateToLatest(db);
    expect(await readImportRows(db, job.uploadId, 0, 10)).toEqual(before);
    expect(await readImportRows(db, legacy, 0, 10)).toEqual({ rows: [{ recordNumber: 1, data: { a: 'x', b: 2 } }] });
  });
});
