// Real clients against the tus layer: tus-js-client with parallel uploads
// (concatenation) and with X-HTTP-Method-Override, curl sending a chunked PATCH
// whose checksum is wrong and then right, and lock contention with a PATCH
// whose client vanished. Every upload ends byte-identical to its source.
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as tus from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobFinished, waitForUpload } from '../support/api-client.ts';
import { writeCsvFixture } from '../support/csv-fixtures.ts';
import { recordStats } from '../support/import-tables.ts';
import { programUnavailable } from '../support/required-program.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from '../support/test-service.ts';
import { csvBytes, digest64, idOf, sha256, storedBytes, type TusClient, tusClient } from './tus-wire.ts';

const run = promisify(execFile);

function upload(
  path: string,
  options: Partial<tus.UploadOptions> & { endpoint: string; token: string },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const { token, ...rest } = options;
    const client = new tus.Upload(createReadStream(path), {
      headers: { Authorization: `Bearer ${token}` },
      metadata: { filename: 'parallel.csv', filetype: 'text/csv' },
      retryDelays: [100, 500],
      ...rest,
      onSuccess: () => resolve(client.url ?? ''),
      onError: reject,
    });
    client.start();
  });
}

describe.skipIf(databaseUnavailable())(`tus with real clients (${databaseKind})`, () => {
  let harness: TestService;
  let token: string;
  let wire: TusClient;
  let dir: string;

  beforeAll(async () => {
    harness = await startTestService({ maintenance: false });
    token = await harness.tokenFor('clients');
    wire = tusClient(harness.baseUrl, token);
    dir = await mkdtemp(join(tmpdir(), 'tus-clients-'));
  });
  afterAll(async () => {
    await harness?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const db = () => harness.service.database.db;

  it('tus-js-client with parallelUploads: 4 sends partials and a final; the file is stored intact and imported once', async () => {
    const path = join(dir, 'parallel.csv');
    const rows = await writeCsvFixture(path, 3 * 1024 * 1024);
    const url = await upload(path, { endpoint: `${harness.baseUrl}/files/`, token, parallelUploads: 4 });
    const id = idOf(url);
    expect(sha256(await storedBytes(harness.baseUrl, token, id))).toBe(sha256(await readFile(path)));
    const { upload: done } = await waitForUpload(harness.baseUrl, token, id, jobFinished);
    expect(done.job?.state).toBe('succeeded');
    expect(done.filename).toBe('parallel.csv');
    // One upload row and one job for this owner: the four partials were never imported.
    const uploads = await db()
      .selectFrom('uploads')
      .select(['id', 'concat_role'])
      .where('owner', '=', 'clients')
      .execute();
    expect(uploads).toEqual([{ id, concat_role: 'final' }]);
    const jobs = await db().selectFrom('jobs').select('upload_id').execute();
    expect(jobs.filter((job) => job.upload_id === id)).toHaveLength(1);
    expect((await recordStats(db(), id)).n).toBe(rows);
  });

  it('tus-js-client with overridePatchMethod sends POST + X-HTTP-Method-Override: PATCH, and the file is stored intact', async () => {
    const path = join(dir, 'override.csv');
    await writeCsvFixture(path, 300 * 1024);
    const url = await upload(path, {
      endpoint: `${harness.baseUrl}/files/`,
      token,
      overridePatchMethod: true,
      chunkSize: 100 * 1024,
    });
    expect(sha256(await storedBytes(harness.baseUrl, token, idOf(url)))).toBe(sha256(await readFile(path)));
  });

  it.skipIf(programUnavailable('curl', 'install curl (apt-get install curl)'))(
    'curl: a chunked PATCH with a wrong checksum gets 460 and stores nothing; sent again with the right one it completes',
    async () => {
      const body = csvBytes(2000);
      const path = join(dir, 'curl.csv');
      await writeFile(path, body);
      const created = await wire.create({ 'Upload-Length': body.length });
      const curlPatch = (checksum: string) =>
        run('curl', [
          '-s',
          '-o',
          '/dev/null',
          '-w',
          '%{http_code}',
          '-X',
          'PATCH',
          created.location,
          '-H',
          `Authorization: Bearer ${token}`,
          '-H',
          'Tus-Resumable: 1.0.0',
          '-H',
          'Upload-Offset: 0',
          '-H',
          'Content-Type: application/offset+octet-stream',
          '-H',
          'Transfer-Encoding: chunked',
          '-H',
          `Upload-Checksum: ${checksum}`,
          '--data-binary',
          `@${path}`,
        ]);
      const corrupted = Buffer.from(body);
      corrupted[100] = 0x21;
      expect((await curlPatch(`sha1 ${digest64('sha1', corrupted)}`)).stdout).toBe('460');
      expect((await wire.head(created.location)).headers['upload-offset']).toBe('0');
      expect((await curlPatch(`sha1 ${digest64('sha1', body)}`)).stdout).toBe('204');
      expect(sha256(await storedBytes(harness.baseUrl, token, idOf(created.location)))).toBe(sha256(body));
    },
  );

  it('core (locking): a PATCH whose client vanished is asked to stop; the next request takes over within seconds', async () => {
    const body = csvBytes(3000);
    const created = await wire.create({ 'Upload-Length': body.length });
    // Half the body, then silence on an open socket: the server still holds the upload's lock.
    const hanging = wire.hangingPatch(created.location, 0, body.subarray(0, 10_000), body.length);
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    const head = await wire.head(created.location);
    expect(head.status).toBe(200);
    // The holder gets 3 s to land bytes already on their way, then lets go.
    expect(Date.now() - started).toBeLessThan(8000);
    const offset = Number(head.headers['upload-offset']);
    expect(offset).toBe(10_000);
    const rest = await wire.patch(created.location, offset, body.subarray(offset));
    expect(rest.status).toBe(204);
    hanging.close();
    expect(sha256(await storedBytes(harness.baseUrl, token, idOf(created.location)))).toBe(sha256(body));
  });
});
