// Cleanup removes exactly what it should, aged by moving timestamps, not by
// sleeping: files past their retention (rows stay), orphan files with no
// upload row, and unfinished uploads whose file vanished.
import { readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeOrphans } from '../server/cleanup/remove-orphans.ts';
import { removeRetainedFiles } from '../server/cleanup/remove-retained-files.ts';
import { jobFinished, waitForUpload } from './support/api-client.ts';
import { recordStats } from './support/import-tables.ts';
import { createUpload, patch } from './support/raw-tus.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from './support/test-service.ts';

const HOUR = 3_600_000;
const silent = pino({ level: 'silent' });

describe.skipIf(databaseUnavailable())(`cleanup and retention (${databaseKind})`, () => {
  let harness: TestService;
  let token: string;

  beforeAll(async () => {
    harness = await startTestService({ maintenance: false });
    token = await harness.tokenFor('olga');
  });
  afterAll(() => harness?.stop());

  async function importedUpload(): Promise<string> {
    const body = Buffer.from('id,name\n1,a\n');
    const created = await createUpload(harness.baseUrl, token, body.length);
    await patch(created.url, token, 0, body);
    const id = created.url.split('/').pop() as string;
    await waitForUpload(harness.baseUrl, token, id, jobFinished);
    return id;
  }

  it('deletes files past their retention and keeps their rows', async () => {
    const old = await importedUpload();
    const recent = await importedUpload();
    const { db } = harness.service.database;
    await db
      .updateTable('jobs')
      .set({ finished_at: new Date(Date.now() - 3 * HOUR) })
      .where('upload_id', '=', old)
      .execute();
    const options = { db, store: harness.fileStore, retentionMs: 2 * HOUR, logger: silent };
    expect(await removeRetainedFiles(options)).toBe(1);
    await expect(stat(harness.fileStore.filePath(old))).rejects.toThrow(/ENOENT/);
    await stat(harness.fileStore.filePath(recent));
    expect((await recordStats(db, old)).n).toBe(1);
    const upload = await db.selectFrom('uploads').selectAll().where('id', '=', old).executeTakeFirstOrThrow();
    expect(upload.file_deleted_at).not.toBeNull();
    expect(await removeRetainedFiles(options)).toBe(0);
  });

  it('removes orphan files past the grace period and expires rows whose file vanished', async () => {
    const { uploadDir } = harness.service.config;
    const stale = join(uploadDir, 'a'.repeat(32));
    const fresh = join(uploadDir, 'b'.repeat(32));
    for (const path of [stale, fresh]) {
      await writeFile(path, 'orphan bytes');
      await writeFile(`${path}.json`, '{}');
    }
    const then = new Date(Date.now() - 2 * HOUR);
    await utimes(stale, then, then);
    await utimes(`${stale}.json`, then, then);
    await writeFile(join(uploadDir, 'not-an-upload.txt'), 'left alone');

    const created = await createUpload(harness.baseUrl, token, 100);
    const vanished = created.url.split('/').pop() as string;
    await rm(harness.fileStore.filePath(vanished));
    await rm(`${harness.fileStore.filePath(vanished)}.json`);
    const { db } = harness.service.database;
    await db.updateTable('uploads').set({ created_at: then }).where('id', '=', vanished).execute();
    const kept = await importedUpload();

    const report = await removeOrphans({ db, store: harness.fileStore, logger: silent });
    expect(report).toEqual({ filesRemoved: 1, rowsExpired: 1 });
    await expect(stat(stale)).rejects.toThrow(/ENOENT/);
    await expect(stat(`${stale}.json`)).rejects.toThrow(/ENOENT/);
    await stat(fresh);
    expect(await readFile(join(uploadDir, 'not-an-upload.txt'), 'utf8')).toBe('left alone');
    await stat(harness.fileStore.filePath(kept));
    const row = await db.selectFrom('uploads').select('state').where('id', '=', vanished).executeTakeFirstOrThrow();
    expect(row.state).toBe('expired');
  });
});
