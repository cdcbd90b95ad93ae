// Unfinished uploads idle for UPLOAD_EXPIRY_HOURS are removed by the timer's
// pass; the clock is moved by aging timestamps, not by sleeping. Activity
// (a PATCH) keeps an upload alive; finished uploads are never expired.
import { readFile, stat, utimes, writeFile } from 'node:fs/promises';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireIdleUploads } from '../server/cleanup/expire-idle-uploads.ts';
import { createUpload, head, patch } from './support/raw-tus.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from './support/test-service.ts';

const HOUR = 3_600_000;

describe.skipIf(databaseUnavailable())(`expiry of idle uploads (${databaseKind})`, () => {
  let harness: TestService;
  let token: string;

  beforeAll(async () => {
    harness = await startTestService({
      env: { UPLOAD_EXPIRY_HOURS: '1', WORKER_CONCURRENCY: '0' },
      maintenance: false,
    });
    token = await harness.tokenFor('hank');
  });
  afterAll(() => harness?.stop());

  async function startedUpload(bytes: string, total: number): Promise<{ url: string; id: string }> {
    const created = await createUpload(harness.baseUrl, token, total);
    expect((await patch(created.url, token, 0, Buffer.from(bytes))).status).toBe(204);
    return { url: created.url, id: created.url.split('/').pop() as string };
  }

  /** Makes an upload look as if its last byte arrived `ms` ago. */
  async function age(id: string, ms: number): Promise<void> {
    const then = new Date(Date.now() - ms);
    const { db } = harness.service.database;
    await db.updateTable('uploads').set({ created_at: then, updated_at: then }).where('id', '=', id).execute();
    const path = harness.fileStore.filePath(id);
    await utimes(path, then, then);
    // The tus metadata beside the file records the creation time too.
    const info = JSON.parse(await readFile(`${path}.json`, 'utf8'));
    await writeFile(`${path}.json`, JSON.stringify({ ...info, creation_date: then.toISOString() }));
  }

  it('removes idle unfinished uploads and keeps active and finished ones', async () => {
    const idle = await startedUpload('id,name\n', 100);
    const active = await startedUpload('id,name\n', 100);
    const finished = await startedUpload('id\n1\n', 5);
    await age(idle.id, 2 * HOUR);
    await age(finished.id, 2 * HOUR);
    // Created long ago but written to just now: expiry counts from last activity.
    const { db } = harness.service.database;
    await db
      .updateTable('uploads')
      .set({ updated_at: new Date(Date.now() - 2 * HOUR) })
      .where('id', '=', active.id)
      .execute();

    const expired = await expireIdleUploads({
      db,
      store: harness.fileStore,
      expiryMs: HOUR,
      logger: pino({ level: 'silent' }),
    });
    expect(expired).toBe(1);

    const states = await db.selectFrom('uploads').select(['id', 'state']).execute();
    const stateOf = (id: string) => states.find((s) => s.id === id)?.state;
    expect(stateOf(idle.id)).toBe('expired');
    expect(stateOf(active.id)).toBe('uploading');
    expect(stateOf(finished.id)).toBe('uploaded');
    await expect(stat(harness.fileStore.filePath(idle.id))).rejects.toThrow(/ENOENT/);
    expect((await head(idle.url, token)).status).toBe(404);
    expect((await head(active.url, token)).status).toBe(200);
  });

  it('answers 410 to a PATCH on an upload idle past its expiry before the pass runs', async () => {
    const upload = await startedUpload('id,name\n', 100);
    await age(upload.id, 2 * HOUR);
    const response = await patch(upload.url, token, 8, Buffer.from('1,x\n'));
    expect(response.status).toBe(410);
  });
});
