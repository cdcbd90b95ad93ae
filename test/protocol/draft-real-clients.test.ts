// tus-js-client 4.3.1 speaking the resumable-upload draft (protocol
// 'ietf-draft-03' = interop version 5, 'ietf-draft-05' = 6) against /files/:
// an upload interrupted midway is resumed by a fresh client from the URL it
// stored, ends byte-identical and is imported exactly once. These clients send
// no Tus-Resumable, which the tus layer refuses with 412: every request here
// was answered by the draft layer.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobFinished, waitForUpload } from '../support/api-client.ts';
import { writeCsvFixture } from '../support/csv-fixtures.ts';
import { recordStats } from '../support/import-tables.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from '../support/test-service.ts';
import { FileUrlStorage, tusUpload } from '../support/tus-client.ts';
import { idOf, sha256, storedBytes } from './tus-wire.ts';

const PROTOCOLS = ['ietf-draft-03', 'ietf-draft-05'] as const;

describe.skipIf(databaseUnavailable())(`tus-js-client speaking the resumable-upload draft (${databaseKind})`, () => {
  let harness: TestService;
  let token: string;
  let dir: string;

  beforeAll(async () => {
    harness = await startTestService({ maintenance: false });
    token = await harness.tokenFor('draft-clients');
    dir = await mkdtemp(join(tmpdir(), 'draft-clients-'));
  });
  afterAll(async () => {
    await harness?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const db = () => harness.service.database.db;

  /** The upload's import finished once, with every row of the file. */
  async function importedOnce(id: string, rows: number): Promise<void> {
    const { upload } = await waitForUpload(harness.baseUrl, token, id, jobFinished);
    expect(upload.job?.state).toBe('succeeded');
    expect(upload.job?.attempts).toBe(1);
    expect(await db().selectFrom('jobs').select('id').where('upload_id', '=', id).execute()).toHaveLength(1);
    expect((await recordStats(db(), id)).n).toBe(rows);
  }

  it.each(PROTOCOLS)(
    '%s: an upload aborted midway is resumed by a fresh client from the stored URL; byte-identical, imported once',
    async (protocol) => {
      const path = join(dir, `${protocol}.csv`);
      const rows = await writeCsvFixture(path, 3 * 1024 * 1024);
      const size = (await readFile(path)).length;
      const urlStorage = new FileUrlStorage(join(dir, `${protocol}-urls.json`));
      const endpoint = `${harness.baseUrl}/files/`;
      const common = { endpoint, token, path, protocol, urlStorage, chunkSize: 512 * 1024 };
      const first = await tusUpload({ ...common, abortWhen: (sent) => sent > size / 3 });
      expect(first.aborted).toBe(true);
      const id = idOf(first.url);
      const row = await db()
        .selectFrom('uploads')
        .select(['state', 'filename'])
        .where('id', '=', id)
        .executeTakeFirst();
      expect(row).toEqual({ state: 'uploading', filename: `${protocol}.csv` });
      // A new client, as after a restart: it finds the URL in the storage, asks for the offset, continues.
      const second = await tusUpload(common);
      expect(second.aborted).toBe(false);
      expect(second.url).toBe(first.url);
      expect(second.resumedFrom).toBeGreaterThan(0);
      expect(second.resumedFrom).toBeLessThan(size);
      expect(sha256(await storedBytes(harness.baseUrl, token, id))).toBe(sha256(await readFile(path)));
      await importedOnce(id, rows);
    },
  );

  it.each(PROTOCOLS)(
    '%s: the whole file in the creation request (uploadDataDuringCreation, no chunk limit) completes in one request',
    async (protocol) => {
      const path = join(dir, `${protocol}-single.csv`);
      const rows = await writeCsvFixture(path, 1024 * 1024);
      const result = await tusUpload({
        endpoint: `${harness.baseUrl}/files/`,
        token,
        path,
        protocol,
        uploadDataDuringCreation: true,
      });
      const id = idOf(result.url);
      expect(sha256(await storedBytes(harness.baseUrl, token, id))).toBe(sha256(await readFile(path)));
      await importedOnce(id, rows);
    },
  );
});
