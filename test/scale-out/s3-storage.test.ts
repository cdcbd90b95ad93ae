// STORAGE=s3 against a real S3-compatible server on loopback (s3rver): tus
// uploads land in the bucket as one object per upload, a `pnpm worker` process
// imports them by streaming the object, resumed uploads are byte-identical,
// deletion removes every object of an upload, and the extensions S3 cannot
// honour are neither announced nor accepted.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadView } from '../../server/uploads/upload-view.ts';
import { apiRequest, jobFinished, uploadIdFromUrl, waitForUpload } from '../support/api-client.ts';
import { FIXTURE_HEADER, sha256File, writeCsvFixture } from '../support/csv-fixtures.ts';
import { recordStats } from '../support/import-tables.ts';
import { createUpload, head, patch, rawRequest } from '../support/raw-tus.ts';
import { type RunningProcess, runServiceToEnd, runWorkerProcess, waitForOutput } from '../support/service-process.ts';
import { databaseUnavailable, startTestService, type TestService } from '../support/test-service.ts';
import { FileUrlStorage, tusUpload } from '../support/tus-client.ts';
import { type LocalS3, startLocalS3 } from './support/local-s3.ts';

const MiB = 1024 * 1024;

describe.skipIf(databaseUnavailable())('S3 storage (s3rver)', () => {
  let s3: LocalS3;
  let harness: TestService;
  let worker: RunningProcess;
  let token: string;
  let workDir: string;
  let bigCsv: string;
  let bigRows: number;

  /** Keys in the bucket that belong to one upload (the object, `.info`, `.part`). */
  async function keysOf(id: string): Promise<string[]> {
    const listing = await s3.client.listObjectsV2({ Bucket: s3.bucket, Prefix: id });
    return (listing.Contents ?? []).map((object) => object.Key as string).sort();
  }

  /** Size and SHA-256 of an object, read as a stream. */
  async function objectDigest(key: string): Promise<{ size: number; sha256: string }> {
    const object = await s3.client.getObject({ Bucket: s3.bucket, Key: key });
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of object.Body as Readable) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    return { size, sha256: hash.digest('hex') };
  }

  beforeAll(async () => {
    s3 = await startLocalS3();
    // The AWS SDK signs streamed bodies as aws-chunked with a CRC32 trailer by default; s3rver
    // stores that framing as if it were data. Checksums only where S3 requires them, then.
    process.env.AWS_REQUEST_CHECKSUM_CALCULATION = 'WHEN_REQUIRED';
    // API only here; the imports run in a `pnpm worker` process reading from the bucket.
    harness = await startTestService({ env: { ...s3.env, WORKER_CONCURRENCY: '0' } });
    token = await harness.tokenFor('stella');
    worker = await runWorkerProcess({
      ...s3.env,
      DATABASE_URL: harness.service.config.databaseUrl as string,
      DATA_DIR: harness.dataDir,
      WORKER_CONCURRENCY: '1',
      JOB_POLL_INTERVAL_MS: '200',
      LOG_LEVEL: 'info',
    });
    workDir = await mkdtemp(join(tmpdir(), 'csvup-s3-'));
    bigCsv = join(workDir, 'ledger.csv');
    bigRows = await writeCsvFixture(bigCsv, 52 * MiB);
    await waitForOutput(worker, /worker started/, 90_000);
  });
  afterAll(async () => {
    worker?.child.kill('SIGTERM');
    await worker?.exited;
    await harness?.stop();
    await s3?.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  it('stores a 52 MB upload sent in 5 MiB chunks as one object, imported by a worker process', async () => {
    const started = performance.now();
    const { url } = await tusUpload({ endpoint: `${harness.baseUrl}/files/`, token, path: bigCsv, chunkSize: 5 * MiB });
    const seconds = (performance.now() - started) / 1000;
    const id = uploadIdFromUrl(url);
    const fileSha256 = await sha256File(bigCsv);
    process.stdout.write(
      `[s3] ${(52 * MiB) / 1e6} MB tus upload into s3rver in 5 MiB chunks: ${((52 * MiB) / 1e6 / seconds).toFixed(1)} MB/s\n`,
    );

    // The object is the upload id; `.info` stays beside it, no `.part` tail is left.
    expect(await keysOf(id)).toEqual([id, `${id}.info`]);
    const head = await s3.client.headObject({ Bucket: s3.bucket, Key: id });
    expect(head.ContentLength).toBeGreaterThanOrEqual(52 * MiB);
    expect(await objectDigest(id)).toEqual({ size: head.ContentLength, sha256: fileSha256 });

    const { upload } = await waitForUpload(harness.baseUrl, token, id, jobFinished, { timeoutMs: 240_000 });
    expect(upload.job?.lastError ?? null).toBeNull();
    expect(upload.job?.state).toBe('succeeded');
    expect(upload.sha256).toBe(fileSha256);
    expect(upload.job?.result).toMatchObject({ rows: bigRows, rowsRejected: 0, columns: FIXTURE_HEADER });
    expect((await recordStats(harness.service.database.db, id)).n).toBe(bigRows);
    // The worker process did it, reading the object from S3.
    expect(worker.stdout()).toContain(`"uploadId":"${id}"`);

    // The owner can download the finished upload: streamed back from the object, byte-identical.
    const download = await fetch(url, { headers: { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0' } });
    expect(download.status).toBe(200);
    const downloaded = createHash('sha256');
    for await (const chunk of download.body as unknown as AsyncIterable<Uint8Array>) downloaded.update(chunk);
    expect(downloaded.digest('hex')).toBe(fileSha256);

    // Deleting the upload removes its object and `.info`.
    const deleted = await apiRequest(harness.baseUrl, `/api/uploads/${id}`, token, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect(await keysOf(id)).toEqual([]);
  });

  it('resumes an interrupted upload with a new client, byte-identical', async () => {
    const path = join(workDir, 'resumed.csv');
    await writeCsvFixture(path, 23 * MiB);
    const urlStorage = new FileUrlStorage(join(workDir, 'tus-urls.json'));
    const endpoint = `${harness.baseUrl}/files/`;
    // Cut inside the third chunk: the bytes of that chunk received so far are kept as the `.part` tail.
    const first = await tusUpload({
      endpoint,
      token,
      path,
      chunkSize: 5 * MiB,
      urlStorage,
      abortWhen: (sent) => sent >= 12 * MiB,
    });
    expect(first.aborted).toBe(true);
    const id = uploadIdFromUrl(first.url);
    const midway = await apiRequest<UploadView>(harness.baseUrl, `/api/uploads/${id}`, token);
    expect(midway.body.state).toBe('uploading');
    // The listing counts the parts S3 holds, not a file.
    expect(midway.body.offset).toBeGreaterThanOrEqual(10 * MiB);
    expect(await keysOf(id)).not.toContain(id);

    const second = await tusUpload({ endpoint, token, path, chunkSize: 5 * MiB, urlStorage });
    expect(second.url).toBe(first.url);
    expect(second.resumedFrom).toBeGreaterThanOrEqual(midway.body.offset);
    const fileSha256 = await sha256File(path);
    expect((await objectDigest(id)).sha256).toBe(fileSha256);
    const { upload } = await waitForUpload(harness.baseUrl, token, id, jobFinished, { timeoutMs: 240_000 });
    expect(upload.job?.state).toBe('succeeded');
    expect(upload.sha256).toBe(fileSha256);
  });

  it('the resumable-upload draft (tus-js-client ietf-draft-05) goes through the same store: interrupted, resumed, one object', async () => {
    const path = join(workDir, 'draft.csv');
    await writeCsvFixture(path, 12 * MiB);
    const urlStorage = new FileUrlStorage(join(workDir, 'draft-urls.json'));
    const options = { endpoint: `${harness.baseUrl}/files/`, token, path, chunkSize: 5 * MiB, urlStorage };
    const first = await tusUpload({ ...options, protocol: 'ietf-draft-05', abortWhen: (sent) => sent >= 7 * MiB });
    expect(first.aborted).toBe(true);
    const second = await tusUpload({ ...options, protocol: 'ietf-draft-05' });
    expect(second.url).toBe(first.url);
    expect(second.resumedFrom).toBeGreaterThan(0);
    const id = uploadIdFromUrl(second.url);
    const fileSha256 = await sha256File(path);
    expect((await objectDigest(id)).sha256).toBe(fileSha256);
    const { upload } = await waitForUpload(harness.baseUrl, token, id, jobFinished, { timeoutMs: 240_000 });
    expect(upload.job?.state).toBe('succeeded');
  });

  it('terminates an unfinished upload: its tail, `.info` and multipart upload go', async () => {
    const created = await createUpload(harness.baseUrl, token, 100);
    expect(created.status).toBe(201);
    const id = uploadIdFromUrl(created.url);
    // Shorter than S3's 5 MiB minimum part: kept as the `.part` object until more arrives.
    expect((await patch(created.url, token, 0, Buffer.from('id,name\n1,a\n'))).status).toBe(204);
    expect((await head(created.url, token)).headers['upload-offset']).toBe('12');
    expect(await keysOf(id)).toEqual([`${id}.info`, `${id}.part`]);

    const terminated = await rawRequest(created.url, 'DELETE', {
      'Tus-Resumable': '1.0.0',
      Authorization: `Bearer ${token}`,
    });
    expect(terminated.status).toBe(204);
    expect(await keysOf(id)).toEqual([]);
    expect((await head(created.url, token)).status).toBe(404);
  });

  it('announces only the extensions S3 storage honours and refuses the others with 400', async () => {
    const options = await rawRequest(`${harness.baseUrl}/files/`, 'OPTIONS', {});
    expect(options.headers['tus-extension']).toBe(
      'creation,creation-with-upload,creation-defer-length,termination,expiration',
    );
    expect(options.headers['tus-checksum-algorithm']).toBeUndefined();

    const created = await createUpload(harness.baseUrl, token, 4);
    const body = Buffer.from('a,b\n');
    const checksummed = await rawRequest(
      created.url,
      'PATCH',
      {
        'Tus-Resumable': '1.0.0',
        'Upload-Offset': 0,
        'Content-Type': 'application/offset+octet-stream',
        'Upload-Checksum': `sha256 ${createHash('sha256').update(body).digest('base64')}`,
        Authorization: `Bearer ${token}`,
      },
      body,
    );
    expect(checksummed.status).toBe(400);
    expect(JSON.parse(checksummed.body).error.message).toMatch(/checksum extension/);
    expect((await head(created.url, token)).headers['upload-offset']).toBe('0');

    const partial = await rawRequest(`${harness.baseUrl}/files/`, 'POST', {
      'Tus-Resumable': '1.0.0',
      'Upload-Length': 10,
      'Upload-Concat': 'partial',
      Authorization: `Bearer ${token}`,
    });
    expect(partial.status).toBe(400);
    expect(JSON.parse(partial.body).error.message).toMatch(/concatenation extension/);
  });

  it('refuses to start with STORAGE=s3 and no S3_BUCKET, naming the variable', async () => {
    const run = await runServiceToEnd({ STORAGE: 's3', DATA_DIR: workDir, PORT: '0' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^Invalid configuration: S3_BUCKET must be set when STORAGE=s3/m);
  });
});
