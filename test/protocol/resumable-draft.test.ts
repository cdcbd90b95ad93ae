// The IETF "Resumable Uploads for HTTP" draft over raw HTTP, in the interop
// versions tus-js-client speaks (5 = draft -03, 6 = drafts -04/-05), beside
// tus 1.0 on /files/. Each check is named after the rule of the draft it tests;
// the rules both versions share run for both.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from '../support/test-service.ts';
import { type DraftClient, draftClient, type Interop } from './draft-wire.ts';
import { csvBytes, idOf, sha256, storedBytes } from './tus-wire.ts';

const MAX_FILE_SIZE = 1024 * 1024;
const PROBLEM_TYPES = 'https://iana.org/assignments/http-problem-types';

describe.skipIf(databaseUnavailable())(`resumable uploads draft (${databaseKind})`, () => {
  let harness: TestService;
  let token: string;

  beforeAll(async () => {
    harness = await startTestService({
      env: { UPLOAD_EXPIRY_HOURS: '1', WORKER_CONCURRENCY: '0', MAX_FILE_SIZE: String(MAX_FILE_SIZE) },
      maintenance: false,
    });
    token = await harness.tokenFor('draft');
  });
  afterAll(() => harness?.stop());

  const db = () => harness.service.database.db;
  const rowOf = (id: string) => db().selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirst();
  const jobsOf = (id: string) => db().selectFrom('jobs').selectAll().where('upload_id', '=', id).execute();
  const absolute = (location: string | undefined) => new URL(String(location), harness.baseUrl).href;

  describe.each([5, 6] as Interop[])('interop version %i', (version) => {
    let draft: DraftClient;
    beforeAll(() => {
      draft = draftClient(harness.baseUrl, token, version);
    });

    /** An upload whose append sent `sent` bytes and then went silent on an open socket. */
    async function hangingUpload(sent: number) {
      const body = csvBytes(3000);
      const created = await draft.create(false, undefined, { 'Upload-Length': body.length });
      const location = absolute(created.headers.location);
      const hanging = draft.hangingAppend(location, 0, body.subarray(0, sent), body.length);
      await new Promise((resolve) => setTimeout(resolve, 300));
      return { body, location, hanging };
    }

    it('upload creation: Upload-Complete: ?1 with the whole content creates and completes the upload in one request; a 104 with Location and the interop version comes first', async () => {
      const body = csvBytes(200);
      const created = await draft.create(true, body);
      expect(created.status).toBe(201);
      expect(created.headers['upload-complete']).toBe('?1');
      expect(created.headers['upload-offset']).toBe(String(body.length));
      expect(created.headers['tus-resumable']).toBeUndefined();
      expect(created.interim).toHaveLength(1);
      const [interim] = created.interim;
      expect(interim?.status).toBe(104);
      expect(interim?.headers.location).toBe(created.headers.location);
      expect(interim?.headers['upload-draft-interop-version']).toBe(String(version));
      const id = idOf(absolute(created.headers.location));
      expect(sha256(await storedBytes(harness.baseUrl, token, id))).toBe(sha256(body));
      // An ordinary upload: its row, finished, and exactly one import job.
      expect(await rowOf(id)).toMatchObject({
        owner: 'draft',
        filename: 'data.csv',
        state: 'uploaded',
        size: body.length,
      });
      expect(await jobsOf(id)).toHaveLength(1);
    });

    it('upload creation: Upload-Complete: ?0 answers 201 with Location, Upload-Complete: ?0 and the offset of the content received', async () => {
      const body = csvBytes(100);
      const created = await draft.create(false, body.subarray(0, 300), { 'Upload-Length': body.length });
      expect(created.status).toBe(201);
      expect(created.headers['upload-complete']).toBe('?0');
      expect(created.headers['upload-offset']).toBe('300');
      expect(created.headers['upload-length']).toBe(String(body.length));
      const id = idOf(absolute(created.headers.location));
      expect(await rowOf(id)).toMatchObject({ state: 'uploading' });
      expect(await jobsOf(id)).toHaveLength(0);
    });

    it('upload creation: a request without Upload-Complete, or with a value that is not ?0/?1, is refused with 400 and creates nothing', async () => {
      const before = (await db().selectFrom('uploads').select('id').execute()).length;
      for (const value of [null, 'true', '1', '?2']) {
        const response = await draft.create(true, csvBytes(3), { 'Upload-Complete': value });
        expect(response.status, `Upload-Complete: ${value}`).toBe(400);
        expect(response.interim).toHaveLength(0);
      }
      expect((await db().selectFrom('uploads').select('id').execute()).length).toBe(before);
    });

    it('upload creation: Upload-Length and complete content of another length are inconsistent: 400', async () => {
      const response = await draft.create(true, csvBytes(10), { 'Upload-Length': 5 });
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body).error.message).toMatch(/Inconsistent upload length/);
    });

    it('upload creation: the creation hook applies — no filename 400, a non-CSV name 415, over MAX_FILE_SIZE 413, nothing created', async () => {
      const before = (await db().selectFrom('uploads').select('id').execute()).length;
      expect((await draft.create(true, csvBytes(3), { 'Upload-Metadata': null })).status).toBe(400);
      const image = await draft.create(true, csvBytes(3), {
        'Upload-Metadata': null,
        'Content-Disposition': 'attachment; filename="photo.png"',
      });
      expect(image.status).toBe(415);
      const large = await draft.create(false, undefined, { 'Upload-Length': MAX_FILE_SIZE + 1 });
      expect(large.status).toBe(413);
      expect((await db().selectFrom('uploads').select('id').execute()).length).toBe(before);
    });

    it('upload creation: without Upload-Metadata the file name comes from Content-Disposition (filename* wins) and the type from Content-Type', async () => {
      const body = csvBytes(5);
      const created = await draft.create(true, body, {
        'Upload-Metadata': null,
        'Content-Type': 'text/csv',
        'Content-Disposition': `attachment; filename="plain.csv"; filename*=UTF-8''K%C3%A4se%20${version}.csv`,
      });
      expect(created.status).toBe(201);
      const row = await rowOf(idOf(absolute(created.headers.location)));
      expect(row).toMatchObject({ filename: `Käse ${version}.csv`, filetype: 'text/csv' });
    });

    it('offset retrieval: HEAD answers 204 with Upload-Offset, Upload-Complete: ?0, Upload-Length, Upload-Limit and Cache-Control: no-store', async () => {
      const created = await draft.create(false, csvBytes(10).subarray(0, 7), { 'Upload-Length': 50 });
      const head = await draft.head(absolute(created.headers.location));
      expect(head.status).toBe(204);
      expect(head.headers['upload-offset']).toBe('7');
      expect(head.headers['upload-complete']).toBe('?0');
      expect(head.headers['upload-length']).toBe('50');
      expect(head.headers['cache-control']).toBe('no-store');
      expect(head.headers['upload-draft-interop-version']).toBe(String(version));
      expect(head.headers['upload-limit']).toMatch(new RegExp(`^max-size=${MAX_FILE_SIZE}, expires=(3599|3600)$`));
    });

    it("offset retrieval: another owner's upload answers 404 exactly like an upload that does not exist", async () => {
      const created = await draft.create(false, undefined, { 'Upload-Length': 10 });
      const stranger = draftClient(harness.baseUrl, await harness.tokenFor('stranger'), version);
      const theirs = await stranger.head(absolute(created.headers.location));
      const missing = await stranger.head(`/files/${'0'.repeat(32)}`);
      expect(theirs.status).toBe(404);
      expect(missing.status).toBe(404);
      expect(theirs.headers['upload-offset']).toBeUndefined();
      const append = await stranger.append(absolute(created.headers.location), 0, true, csvBytes(1).subarray(0, 10));
      const appendMissing = await stranger.append(`/files/${'0'.repeat(32)}`, 0, true, csvBytes(1).subarray(0, 10));
      expect(append.status).toBe(404);
      expect(append.body).toBe(appendMissing.body);
      expect(append.headers['content-type']).toBe(appendMissing.headers['content-type']);
      expect((await stranger.cancel(absolute(created.headers.location))).status).toBe(404);
      expect((await draft.head(absolute(created.headers.location))).headers['upload-offset']).toBe('0');
    });

    it('upload append: content from the offset with Upload-Complete: ?1 completes the upload; HEAD then says Upload-Complete: ?1; one import job', async () => {
      const body = csvBytes(300);
      const created = await draft.create(false, body.subarray(0, 1000), { 'Upload-Length': body.length });
      const location = absolute(created.headers.location);
      const middle = await draft.append(location, 1000, false, body.subarray(1000, 2000));
      expect(middle.status).toBe(204);
      expect(middle.headers['upload-offset']).toBe('2000');
      expect(middle.headers['upload-complete']).toBe('?0');
      const last = await draft.append(location, 2000, true, body.subarray(2000));
      expect(last.status).toBe(204);
      expect(last.headers['upload-complete']).toBe('?1');
      expect(last.headers['upload-offset']).toBe(String(body.length));
      const head = await draft.head(location);
      expect(head.headers['upload-complete']).toBe('?1');
      expect(head.headers['upload-limit']).toBe(`max-size=${MAX_FILE_SIZE}`);
      expect(sha256(await storedBytes(harness.baseUrl, token, idOf(location)))).toBe(sha256(body));
      expect(await jobsOf(idOf(location))).toHaveLength(1);
    });

    it('upload append: an Upload-Offset other than the upload offset gets 409 with a mismatching-upload-offset problem (expected-offset, provided-offset); nothing changes', async () => {
      const body = csvBytes(20);
      const created = await draft.create(false, body.subarray(0, 40), { 'Upload-Length': body.length });
      const location = absolute(created.headers.location);
      for (const provided of [0, 39, 41]) {
        const response = await draft.append(location, provided, true, body.subarray(provided));
        expect(response.status).toBe(409);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        const problem = JSON.parse(response.body);
        expect(problem).toMatchObject({
          type: `${PROBLEM_TYPES}#mismatching-upload-offset`,
          'expected-offset': 40,
          'provided-offset': provided,
          error: { code: 'conflict' },
        });
      }
      expect((await draft.head(location)).headers['upload-offset']).toBe('40');
      expect((await draft.append(location, 40, true, body.subarray(40))).status).toBe(204);
      expect(sha256(await storedBytes(harness.baseUrl, token, idOf(location)))).toBe(sha256(body));
    });

    it('upload append: a completed upload takes no more content: 400 with a completed-upload problem, the file unchanged', async () => {
      const body = csvBytes(10);
      const created = await draft.create(true, body);
      const location = absolute(created.headers.location);
      const response = await draft.append(location, body.length, true, Buffer.from('11,extra\n'));
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(response.body)).toMatchObject({ type: `${PROBLEM_TYPES}#completed-upload` });
      expect(sha256(await storedBytes(harness.baseUrl, token, idOf(location)))).toBe(sha256(body));
      expect(await jobsOf(idOf(location))).toHaveLength(1);
    });

    it('upload append: Upload-Complete: ?1 on content of unknown length (chunked, no Upload-Length) fixes the length at the offset reached', async () => {
      const body = csvBytes(400);
      const created = await draft.create(false, undefined);
      const location = absolute(created.headers.location);
      expect((await draft.head(location)).headers['upload-length']).toBeUndefined();
      const pieces = [body.subarray(0, 1000), body.subarray(1000, 3000), body.subarray(3000)];
      const last = await draft.append(location, 0, true, pieces);
      expect(last.status).toBe(204);
      expect(last.headers['upload-complete']).toBe('?1');
      expect((await draft.head(location)).headers['upload-length']).toBe(String(body.length));
      expect(await rowOf(idOf(location))).toMatchObject({ state: 'uploaded', size: body.length });
      expect(await jobsOf(idOf(location))).toHaveLength(1);
    });

    it('upload append: content cut short keeps the bytes that arrived; the client resumes from the offset HEAD reports', async () => {
      const { body, location, hanging } = await hangingUpload(10_000);
      hanging.close();
      let offset = 0;
      for (let tries = 0; tries < 50 && offset !== 10_000; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        offset = Number((await draft.head(location)).headers['upload-offset']);
      }
      expect(offset).toBe(10_000);
      expect((await draft.append(location, offset, true, body.subarray(offset))).status).toBe(204);
      expect(sha256(await storedBytes(harness.baseUrl, token, idOf(location)))).toBe(sha256(body));
    });

    it('concurrency: an append whose client vanished holds the lock; a HEAD asks it to stop and takes over within seconds', async () => {
      const { body, location, hanging } = await hangingUpload(8000);
      const started = Date.now();
      const head = await draft.head(location);
      expect(head.status).toBe(204);
      expect(Date.now() - started).toBeLessThan(8000);
      expect(head.headers['upload-offset']).toBe('8000');
      expect((await draft.append(location, 8000, true, body.subarray(8000))).status).toBe(204);
      hanging.close();
      expect(sha256(await storedBytes(harness.baseUrl, token, idOf(location)))).toBe(sha256(body));
    });

    it('integrity digests: Content-Digest (RFC 9530) on an append is verified; a mismatch gets 400 and its content is discarded whole', async () => {
      const body = csvBytes(100);
      const created = await draft.create(false, undefined, { 'Upload-Length': body.length });
      const location = absolute(created.headers.location);
      const digest = (bytes: Buffer, algorithm = 'sha256') => createHash(algorithm).update(bytes).digest('base64');
      const damaged = Buffer.from(body);
      damaged[10] = 0x21;
      const refused = await draft.append(location, 0, true, damaged, { 'Content-Digest': `sha-256=:${digest(body)}:` });
      expect(refused.status).toBe(400);
      expect(JSON.parse(refused.body).error.code).toBe('checksum_mismatch');
      expect((await draft.head(location)).headers['upload-offset']).toBe('0');
      // Several digests: the strongest one this server hashes (sha-256) is the one checked.
      const both = `sha-512=:${digest(body, 'sha512')}:, sha-256=:${digest(body)}:, md5=:${digest(damaged, 'md5')}:`;
      expect((await draft.append(location, 0, true, body, { 'Content-Digest': both })).status).toBe(204);
      expect(sha256(await storedBytes(harness.baseUrl, token, idOf(location)))).toBe(sha256(body));
      const unknown = await draft.create(true, body, { 'Content-Digest': `sha-512=:${digest(body, 'sha512')}:` });
      expect(unknown.status).toBe(400);
    });

    it('upload cancellation: DELETE answers 204, the upload and its row are gone, and the upload then answers 404', async () => {
      const created = await draft.create(false, csvBytes(10).subarray(0, 30), { 'Upload-Length': 100 });
      const location = absolute(created.headers.location);
      const cancelled = await draft.cancel(location);
      expect(cancelled.status).toBe(204);
      expect(await rowOf(idOf(location))).toBeUndefined();
      expect((await draft.head(location)).status).toBe(404);
    });

    it('Upload-Limit: OPTIONS with the interop version advertises max-size (MAX_FILE_SIZE), beside the tus discovery headers', async () => {
      const response = await draft.send('OPTIONS', '/files/', { Authorization: null });
      expect(response.status).toBe(204);
      expect(response.headers['upload-limit']).toBe(`max-size=${MAX_FILE_SIZE}`);
      expect(response.headers['upload-draft-interop-version']).toBe(String(version));
      expect(response.headers['tus-version']).toBe('1.0.0');
    });
  });
});
