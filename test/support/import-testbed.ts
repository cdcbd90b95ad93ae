// Test helpers shared by the import tests: a fresh migrated database of either
// kind, a running job leased to a worker, a sink for it, and readers of results.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../db/client.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { type Job, toNumber } from '../../db/schema.ts';
import { readImportRows, type StoredRow } from '../../server/import/destination/stored-rows.ts';
import { type ImportSummary, importCsvFile } from '../../server/import/import-csv-file.ts';
import { importSettingsFromMetadata } from '../../server/import/import-settings.ts';
import type { BatchSink, RowError } from '../../server/import/sink/batch-sink.ts';
import { createEmbeddedBatchSink } from '../../server/import/sink/embedded-batch-sink.ts';
import { createPostgresBatchSink } from '../../server/import/sink/postgres-batch-sink.ts';

export type DatabaseKind = 'postgres' | 'embedded';

export interface TestDatabase {
  handle: DatabaseHandle;
  close(): Promise<void>;
}

function adminUrl(): string {
  return process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl(), connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Both kinds when PostgreSQL answers; locally a missing server drops it, in CI it fails. */
export async function availableDatabaseKinds(): Promise<DatabaseKind[]> {
  try {
    await withAdmin((client) => client.query('SELECT 1'));
    return ['postgres', 'embedded'];
  } catch (error) {
    if (process.env.CI === 'true') throw error;
    return ['embedded'];
  }
}

export async function openTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'embedded') {
    const dataDir = await mkdtemp(join(tmpdir(), 'csvimport-test-'));
    const handle = await openDatabase({ dataDir });
    await migrateToLatest(handle.db);
    return { handle, close: () => handle.close().then(() => rm(dataDir, { recursive: true, force: true })) };
  }
  const name = `csvimport_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  const handle = await openDatabase({ databaseUrl: url.toString(), dataDir: tmpdir() });
  await migrateToLatest(handle.db);
  return {
    handle,
    async close() {
      await handle.close();
      await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

export interface RunningJob {
  uploadId: string;
  jobId: number;
  workerId: string;
}

/** An upload with its job in state `running`, leased to a fresh worker id. */
export async function createRunningJob(handle: DatabaseHandle): Promise<RunningJob> {
  const uploadId = randomBytes(8).toString('hex');
  const workerId = `worker-${randomBytes(4).toString('hex')}`;
  await handle.db
    .insertInto('uploads')
    .values({ id: uploadId, owner: 'tester', filename: 'test.csv', state: 'processing', metadata: '{}' })
    .execute();
  const job = await handle.db
    .insertInto('jobs')
    .values({
      upload_id: uploadId,
      state: 'running',
      max_attempts: 5,
      locked_by: workerId,
      locked_until: new Date(Date.now() + 60_000),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { uploadId, jobId: toNumber(job.id), workerId };
}

export function createSink(handle: DatabaseHandle, job: RunningJob, maxStoredErrors?: number): BatchSink {
  const destination = { kind: 'new' as const, schema: 'imports', filename: 'test.csv', uploadId: job.uploadId };
  const common = { ...job, maxStoredErrors, destination };
  return handle.kind === 'postgres'
    ? createPostgresBatchSink({ pool: handle.pool, ...common })
    : createEmbeddedBatchSink({ db: handle.db, pglite: handle.pglite, ...common });
}

/** The upload's stored rows, each as an object keyed by column name. */
export async function readRows(handle: DatabaseHandle, uploadId: string): Promise<StoredRow[]> {
  const rows: StoredRow[] = [];
  for (let after = 0; ; ) {
    const page = await readImportRows(handle.db, uploadId, after, 10_000);
    if ('appendedTo' in page) throw new Error(`rows of ${uploadId} were appended to ${page.appendedTo}`);
    rows.push(...page.rows);
    if (page.rows.length < 10_000) return rows;
    after = page.rows[page.rows.length - 1].recordNumber;
  }
}

export async function readRowErrors(handle: DatabaseHandle, uploadId: string): Promise<RowError[]> {
  const rows = await handle.db
    .selectFrom('row_errors')
    .selectAll()
    .where('upload_id', '=', uploadId)
    .orderBy('record_number')
    .execute();
  return rows.map((row) => ({
    recordNumber: toNumber(row.record_number),
    lineNumber: toNumber(row.line_number),
    column: row.column_name,
    message: row.message,
    raw: row.raw,
  }));
}

export async function readJob(handle: DatabaseHandle, jobId: number): Promise<Job> {
  return handle.db.selectFrom('jobs').selectAll().where('id', '=', jobId).executeTakeFirstOrThrow();
}

/** Wraps a sink so it reports a lost lease from the (k+1)-th commit on, like a worker that was cut off. */
export function stopAfter(sink: BatchSink, commits: number): BatchSink {
  let done = 0;
  // As many batches load at once as through the sink itself: on PostgreSQL the stop may come while an earlier batch still loads.
  return {
    concurrentBatches: sink.concurrentBatches,
    commitBatch: async (batch) => done++ < commits && sink.commitBatch(batch),
  };
}

/** A temp directory for fixtures; `file()` writes one, `remove()` deletes them all. */
export async function createFixtureDir(): Promise<{
  file(name: string, content: string | Buffer): Promise<string>;
  path(name: string): string;
  remove(): Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'csvimport-fixtures-'));
  return {
    path: (name) => join(dir, name),
    async file(name, content) {
      await writeFile(join(dir, name), content);
      return join(dir, name);
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export type FixtureDir = Awaited<ReturnType<typeof createFixtureDir>>;

/**
 * The setup every import suite shares: a migrated database of `kind` and a
 * scratch folder, opened before the suite and removed after it.
 */
export function useImportTestbed(kind: DatabaseKind): {
  readonly database: TestDatabase;
  readonly fixtures: FixtureDir;
} {
  const testbed = {} as { database: TestDatabase; fixtures: FixtureDir };
  beforeAll(async () => {
    testbed.database = await openTestDatabase(kind);
    testbed.fixtures = await createFixtureDir();
  });
  afterAll(async () => {
    await testbed.database?.close();
    await testbed.fixtures?.remove();
  });
  return testbed;
}

/**
 * Imports `filePath` as a fresh job with settings from upload metadata; the
 * outcome is the summary or the error, with the rows and row errors stored.
 */
export async function importWithMetadata(
  database: TestDatabase,
  filePath: string,
  metadata: Record<string, string> = {},
) {
  const job = await createRunningJob(database.handle);
  const settings = importSettingsFromMetadata(metadata);
  const outcome: ImportSummary | Error = await importCsvFile(
    { uploadId: job.uploadId, filePath, checkpoint: null, settings },
    createSink(database.handle, job),
  ).catch((error: Error) => error);
  const rows = await readRows(database.handle, job.uploadId);
  const errors = await readRowErrors(database.handle, job.uploadId);
  return { outcome, summary: outcome as ImportSummary, rows: rows.map((row) => row.data), errors };
}
