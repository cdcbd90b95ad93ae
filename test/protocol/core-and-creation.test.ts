// tus 1.0.0, section by section, over raw HTTP: core, creation,
// creation-with-upload, creation-defer-length, expiration and termination.
// Each check is named after the rule of the specification it tests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../support/raw-tus.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from '../support/test-service.ts';
import {
  ageStoredUpload,
  csvBytes,
  idOf,
  metadata,
  sha256,
  storedBytes,
  TUS,
  type TusClient,
  tusClient,
} from './tus-wire.ts';

const HOUR = 3_600_000;
const EXTENSIONS =
  'creation,creation-with-upload,creation-defer-length,termination,expiration,checksum,checksum-trailer,concatenation';

describe.skipIf(databaseUnavailable())(`tus 1.0.0 core and creation (${databaseKind})`, () => {
  let harness: TestService;
  let token: string;
  let tus: TusClient;

  beforeAll(async () => {
    harness = await startTestService({
      env: { UPLOAD_EXPIRY_HOURS: '1', WORKER_CONCURRENCY: '0' },
      maintenance: false,
    });
    token = await harness.tokenFor('spec');
    tus = tusClient(harness.baseUrl, token);
  });
  afterAll(() => harness?.stop());

  const uploadRows = () => harness.service.database.db.selectFrom('uploads').selectAll().execute();
  const jobOf = (id: string) =>
    harness.service.database.db.selectFrom('jobs').selectAll().where('upload_id', '=', id).execute();

  /** Makes an upload look as if its last byte arrived `ms` ago. */
  const age = (id: string, ms: number) => ageStoredUpload(harness.fileStore, id, ms);

  describe('core', () => {
    it('core: OPTIONS answers 204 with Tus-Version, Tus-Max-Size, exactly the implemented Tus-Extension list and Tus-Checksum-Algorithm', async () => {
      const response = await rawRequest(`${harness.baseUrl}/files/`, 'OPTIONS', {});
      expect(response.status).toBe(204);
      expect(response.headers['tus-version']).toBe('1.0.0');
      expect(response.headers['tus-max-size']).toBe(String(3 * 1024 ** 3));
      expect(response.headers['tus-extension']).toBe(EXTENSIONS);
      expect(response.headers['tus-checksum-algorithm']).toBe('sha1,sha256,md5,crc32');
    });

    it('core: the server ignores Tus-Resumable on OPTIONS', async () => {
      const response = await rawRequest(`${harness.baseUrl}/files/`, 'OPTIONS', { 'Tus-Resumable': '0.0.1' });
      expect(response.status).toBe(204);
    });

    it('core: a request without Tus-Resumable gets 412 with Tus-Version and is not processed', async () => {
      const before = (await uploadRows()).length;
      const response = await tus.request('POST', '/files/', {
        'Tus-Resumable': '',
        'Upload-Length': 5,
        'Upload-Metadata': metadata(),
      });
      expect(response.status).toBe(412);
      expect(response.headers['tus-version']).toBe('1.0.0');
      expect(response.headers['tus-resumable']).toBe('1.0.0');
      expect((await uploadRows()).length).toBe(before);
    });

    it('core: an unsupported Tus-Resumable version gets 412 with Tus-Version and the upload is unchanged', async () => {
      const created = await tus.create({ 'Upload-Length': 10 });
      const response = await tus.patch(created.location, 0, Buffer.from('id\n1\n'), { 'Tus-Resumable': '0.2.2' });
      expect(response.status).toBe(412);
      expect(response.headers['tus-version']).toBe('1.0.0');
      expect((await tus.head(created.location)).headers['upload-offset']).toBe('0');
    });

    it('core: HEAD answers Upload-Offset (even 0), Upload-Length and Cache-Control: no-store', async () => {
      const created = await tus.create({ 'Upload-Length': 10 });
      const response = await tus.head(created.location);
      expect(response.status).toBe(200);
      expect(response.headers['upload-offset']).toBe('0');
      expect(response.headers['upload-length']).toBe('10');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['tus-resumable']).toBe('1.0.0');
    });

    it('core: HEAD on an unknown upload answers 404 without Upload-Offset', async () => {
      const response = await tus.head(`/files/${'0'.repeat(32)}`);
      expect(response.status).toBe(404);
      expect(response.headers['upload-offset']).toBeUndefined();
      expect(response.headers['tus-resumable']).toBe('1.0.0');
    });

    it('core: a PATCH applies its bytes at Upload-Offset and answers 204 with the new offset', async () => {
      const body = csvBytes(20);
      const created = await tus.create({ 'Upload-Length': body.length });
      const first = await tus.patch(created.location, 0, body.subarray(0, 50));
      expect(first.status).toBe(204);
      expect(first.headers['upload-offset']).toBe('50');
      const second = await tus.patch(created.location, 50, body.subarray(50));
      expect(second.status).toBe(204);
      expect(second.headers['upload-offset']).toBe(String(body.length));
      expect(sha256(await storedBytes(harness.baseUrl, token, idOf(created.location)))).toBe(sha256(body));
    });

    it('core: a PATCH with a wrong Upload-Offset gets 409 and changes nothing', async () => {
      const body = csvBytes(10);
      const created = await tus.create({ 'Upload-Length': body.length });
      await tus.patch(created.location, 0, body.subarray(0, 20));
      for (const offset of [0, 19, 21]) {
        expect((await tus.patch(created.location, offset, body.subarray(offset))).status).toBe(409);
      }
      expect((await tus.head(created.location)).headers['upload-offset']).toBe('20');
      expect((await tus.patch(created.location, 20, body.subarray(20))).status).toBe(204);
      expect(sha256(await storedBytes(harness.baseUrl, token, idOf(created.location)))).toBe(sha256(body));
    });

    it('core: a PATCH without Content-Type: application/offset+octet-stream gets 415 and changes nothing', async () => {
      const created = await tus.create({ 'Upload-Length': 10 });
      for (const type of ['application/octet-stream', 'text/csv', '']) {
        const response = await tus.patch(created.location, 0, Buffer.from('id\n'), { 'Content-Type': type });
        expect(response.status).toBe(415);
        expect(response.headers['tus-resumable']).toBe('1.0.0');
      }
      expect((await tus.head(created.location)).headers['upload-offset']).toBe('0');
    });

    it('core: Upload-Offset and Upload-Length must be non-negative integers: signs, fractions, hex, exponents and overlong values are 400', async () => {
      const created = await tus.create({ 'Upload-Length': 10 });
      for (const bad of ['-1', '1.5', '0x10', '1e3', '+5', '01', ' ', '99999999999999999999', '9007199254740993']) {
        const post = await tus.request('POST', '/files/', { 'Upload-Length': bad, 'Upload-Metadata': metadata() });
        expect(post.status, `Upload-Length: ${bad}`).toBe(400);
        const patch = await tus.patch(created.location, 0, Buffer.from('id\n'), { 'Upload-Offset': bad });
        expect(patch.status, `Upload-Offset: ${bad}`).toBe(400);
      }
      expect((await tus.head(created.location)).headers['upload-offset']).toBe('0');
    });

    it('core: Tus-Resumable is on every response but OPTIONS, the service’s own 401, 404 and 400 included', async () => {
      const noToken = await rawRequest(`${harness.baseUrl}/files/`, 'POST', { ...TUS, 'Upload-Length': 1 });
      expect(noToken.status).toBe(401);
      expect(noToken.headers['tus-resumable']).toBe('1.0.0');
      const unknown = await tus.request('DELETE', `/files/${'a'.repeat(32)}`);
      expect(unknown.status).toBe(404);
      expect(unknown.headers['tus-resumable']).toBe('1.0.0');
      const bad = await tus.request('POST', '/files/', { 'Upload-Length': 5, 'Upload-Metadata': 'filename' });
      expect(bad.status).toBe(400);
      expect(bad.headers['tus-resumable']).toBe('1.0.0');
    });

    it('core: X-HTTP-Method-Override is interpreted as the method of a POST (PATCH, HEAD, DELETE)', async () => {
      const body = csvBytes(5);
      const created = await tus.create({ 'Upload-Length': body.length });
      const asPatch = await tus.request(
        'POST',
        created.location,
        {
          'X-HTTP-Method-Override': 'PATCH',
          'Content-Type': 'application/offset+octet-stream',
          'Upload-Offset': 0,
        },
        body.subarray(0, 10),
      );
      expect(asPatch.status).toBe(204);
      expect(asPatch.headers['upload-offset']).toBe('10');
      const asHead = await tus.request('POST', created.location, { 'X-HTTP-Method-Override': 'HEAD' });
      expect(asHead.status).toBe(200);
      expect(asHead.headers['upload-offset']).toBe('10');
      expect(asHead.headers['cache-control']).toBe('no-store');
      const asDelete = await tus.request('POST', created.location, { 'X-HTTP-Method-Override': 'DELETE' });
      expect(asDelete.status).toBe(204);
      expect((await tus.head(created.location)).status).toBe(404);
      const unsupported = await tus.request('POST', '/files/', { 'X-HTTP-Method-Override': 'PUT', 'Upload-Length': 1 });
      expect(unsupported.status).toBe(400);
    });
  });

  describe('creation', () => {
    it('creation: POST answers 201 with a Location; the new upload has offset 0', async () => {
      const created = await tus.create({ 'Upload-Length': 100 });
      expect(created.status).toBe(201);
      expect(created.location).toMatch(/\/files\/[0-9a-f]{32}$/);
      expect((await tus.head(created.location)).headers['upload-offset']).toBe('0');
    });

    it('creation: HEAD echoes Upload-Metadata exactly as sent, binary and empty values included', async () => {
      const binary = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3]).toString('base64');
      const sent = `filename ${Buffer.from('ünïcode.csv').toString('base64')},blob ${binary},is_confidential`;
      const created = await tus.create({ 'Upload-Length': 10, 'Upload-Metadata': sent });
      expect(created.status).toBe(201);
      expect((await tus.head(created.location)).headers['upload-metadata']).toBe(sent);
    });

    it('creation: malformed Upload-Metadata is refused with 400 and nothing is created', async () => {
      const before = (await uploadRows()).length;
      const name = Buffer.from('a.csv').toString('base64');
      for (const bad of [
        'filename not*base64!',
        `filename ${name.slice(0, -1)}`,
        `filename ${name},filename ${name}`,
        `file name ${name}`,
        `filename ${name},,x`,
        `filename  ${name}`,
        '',
      ]) {
        const response = await tus.request('POST', '/files/', { 'Upload-Length': 5, 'Upload-Metadata': bad });
        expect(response.status, bad).toBe(400);
      }
      expect((await uploadRows()).length).toBe(before);
    });

    it('creation: an Upload-Length above Tus-Max-Size is 413', async () => {
      const response = await tus.create({ 'Upload-Length': 4 * 1024 ** 3 });
      expect(response.status).toBe(413);
    });

    it('creation: a POST with neither Upload-Length nor Upload-Defer-Length, or both, is 400', async () => {
      expect((await tus.create({})).status).toBe(400);
      expect((await tus.create({ 'Upload-Length': 5, 'Upload-Defer-Length': 1 })).status).toBe(400);
    });
  });

  describe('creation-with-upload', () => {
    it('creation-with-upload: the bytes of the POST body are stored and Upload-Offset says how many', async () => {
      const body = csvBytes(30);
      const created = await tus.create(
        { 'Upload-Length': body.length, 'Content-Type': 'application/offset+octet-stream' },
        body.subarray(0, 100),
      );
      expect(created.status).toBe(201);
      expect(created.headers['upload-offset']).toBe('100');
      expect((await tus.patch(created.location, 100, body.subarray(100))).status).toBe(204);
      expect(sha256(await storedBytes(harness.baseUrl, token, idOf(created.location)))).toBe(sha256(body));
    });

    it('creation-with-upload: a POST carrying the whole file finishes it and queues one import', async () => {
      const body = csvBytes(8);
      const created = await tus.create(
        { 'Upload-Length': body.length, 'Content-Type': 'application/offset+octet-stream' },
        body,
      );
      expect(created.headers['upload-offset']).toBe(String(body.length));
      expect(await jobOf(idOf(created.location))).toHaveLength(1);
      expect(sha256(await storedBytes(harness.baseUrl, token, idOf(created.location)))).toBe(sha256(body));
    });
  });

  describe('creation-defer-length', () => {
    it('creation-defer-length: HEAD answers Upload-Defer-Length: 1 until a PATCH sets Upload-Length', async () => {
      const body = csvBytes(12);
      const created = await tus.create({ 'Upload-Defer-Length': 1 });
      expect(created.status).toBe(201);
      const pending = await tus.head(created.location);
      expect(pending.headers['upload-defer-length']).toBe('1');
      expect(pending.headers['upload-length']).toBeUndefined();
      expect((await tus.patch(created.location, 0, body.subarray(0, 40))).status).toBe(204);
      const last = await tus.patch(created.location, 40, body.subarray(40), { 'Upload-Length': body.length });
      expect(last.status).toBe(204);
      const done = await tus.head(created.location);
      expect(done.headers['upload-defer-length']).toBeUndefined();
      expect(done.headers['upload-length']).toBe(String(body.length));
      expect(sha256(await storedBytes(harness.baseUrl, token, idOf(created.location)))).toBe(sha256(body));
    });

    it('creation-defer-length: Upload-Defer-Length other than 1 is 400', async () => {
      expect((await tus.create({ 'Upload-Defer-Length': 2 })).status).toBe(400);
      expect((await tus.create({ 'Upload-Defer-Length': 'yes' })).status).toBe(400);
    });
  });

  describe('expiration', () => {
    const expiresIn = (header: unknown) => new Date(String(header)).getTime() - Date.now();

    it('expiration: POST and every PATCH carry Upload-Expires (RFC 7231), counted from that request', async () => {
      const created = await tus.create({ 'Upload-Length': 100 });
      expect(String(created.headers['upload-expires'])).toMatch(/^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$/);
      expect(expiresIn(created.headers['upload-expires'])).toBeGreaterThan(HOUR - 5000);
      // Idle for 50 minutes: the next PATCH moves the expiry a full hour ahead of now.
      await age(idOf(created.location), 50 * 60_000);
      const patched = await tus.patch(created.location, 0, Buffer.from('id,name\n'));
      expect(patched.status).toBe(204);
      expect(expiresIn(patched.headers['upload-expires'])).toBeGreaterThan(HOUR - 5000);
      expect(expiresIn(patched.headers['upload-expires'])).toBeLessThanOrEqual(HOUR + 1000);
    });

    it('expiration: an unfinished upload idle past its expiry answers 410 to HEAD and PATCH', async () => {
      const created = await tus.create({ 'Upload-Length': 100 });
      await tus.patch(created.location, 0, Buffer.from('id,name\n'));
      await age(idOf(created.location), 2 * HOUR);
      expect((await tus.head(created.location)).status).toBe(410);
      expect((await tus.patch(created.location, 8, Buffer.from('1,a\n'))).status).toBe(410);
    });

    it('expiration: a finished upload does not expire', async () => {
      const body = csvBytes(3);
      const created = await tus.create({ 'Upload-Length': body.length });
      const done = await tus.patch(created.location, 0, body);
      expect(done.headers['upload-expires']).toBeUndefined();
      await age(idOf(created.location), 2 * HOUR);
      expect((await tus.head(created.location)).status).toBe(200);
    });
  });

  describe('termination', () => {
    it('termination: DELETE answers 204, frees the upload, and later requests get 404', async () => {
      const created = await tus.create({ 'Upload-Length': 100 });
      await tus.patch(created.location, 0, Buffer.from('id,name\n'));
      const deleted = await tus.request('DELETE', created.location);
      expect(deleted.status).toBe(204);
      expect(deleted.headers['tus-resumable']).toBe('1.0.0');
      expect((await tus.head(created.location)).status).toBe(404);
      expect((await tus.patch(created.location, 8, Buffer.from('1,a\n'))).status).toBe(404);
      expect((await uploadRows()).some((row) => row.id === idOf(created.location))).toBe(false);
    });
  });
});
