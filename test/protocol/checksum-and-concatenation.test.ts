// tus 1.0.0 over raw HTTP, continued: the checksum (and checksum-trailer) and
// concatenation extensions. Each check is named after the rule it tests.
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRequest } from '../support/api-client.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from '../support/test-service.ts';
import { csvBytes, digest64, idOf, metadata, sha256, storedBytes, type TusClient, tusClient } from './tus-wire.ts';

const crc32Base64 = (bytes: Buffer) => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(bytes));
  return out.toString('base64');
};
const checksumOf = (algorithm: string, bytes: Buffer) =>
  `${algorithm} ${algorithm === 'crc32' ? crc32Base64(bytes) : digest64(algorithm, bytes)}`;

describe.skipIf(databaseUnavailable())(`tus 1.0.0 checksum and concatenation (${databaseKind})`, () => {
  let harness: TestService;
  let token: string;
  let tus: TusClient;

  beforeAll(async () => {
    harness = await startTestService({
      env: { WORKER_CONCURRENCY: '0', MAX_FILE_SIZE: '100000', TUS_LOCK_TIMEOUT_MS: '1000' },
      maintenance: false,
    });
    token = await harness.tokenFor('spec');
    tus = tusClient(harness.baseUrl, token);
  });
  afterAll(() => harness?.stop());

  const db = () => harness.service.database.db;
  const jobsOf = (id: string) => db().selectFrom('jobs').selectAll().where('upload_id', '=', id).execute();
  const rowOf = (id: string) => db().selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirst();
  const offsetOf = async (location: string) => (await tus.head(location)).headers['upload-offset'];

  describe('checksum', () => {
    it('checksum: a PATCH whose Upload-Checksum matches its bytes is stored, with every offered algorithm', async () => {
      const body = csvBytes(40);
      const created = await tus.create({ 'Upload-Length': body.length });
      const cuts = [0, 100, 200, 300, body.length];
      for (const [n, algorithm] of ['sha1', 'sha256', 'md5', 'crc32'].entries()) {
        const chunk = body.subarray(cuts[n], cuts[n + 1]);
        const response = await tus.patch(created.location, cuts[n] as number, chunk, {
          'Upload-Checksum': checksumOf(algorithm, chunk),
        });
        expect(response.status, algorithm).toBe(204);
      }
      expect(sha256(await storedBytes(harness.baseUrl, token, idOf(created.location)))).toBe(sha256(body));
    });

    it('checksum: a mismatch gets 460, the chunk is discarded, the offset is unchanged, and the right chunk at that offset succeeds', async () => {
      const body = csvBytes(30);
      const created = await tus.create({ 'Upload-Length': body.length });
      await tus.patch(created.location, 0, body.subarray(0, 50));
      const chunk = body.subarray(50);
      const corrupted = Buffer.from(chunk);
      corrupted[10] = (corrupted[10] as number) ^ 0x01;
      const refused = await tus.patch(created.location, 50, corrupted, {
        'Upload-Checksum': checksumOf('sha1', chunk),
      });
      expect(refused.status).toBe(460);
      expect(refused.headers['tus-resumable']).toBe('1.0.0');
      expect(await offsetOf(created.location)).toBe('50');
      expect(await jobsOf(idOf(created.location))).toHaveLength(0);
      const accepted = await tus.patch(created.location, 50, chunk, { 'Upload-Checksum': checksumOf('sha1', chunk) });
      expect(accepted.status).toBe(204);
      expect(await jobsOf(idOf(created.location))).toHaveLength(1);
      expect(sha256(await storedBytes(harness.baseUrl, token, idOf(created.location)))).toBe(sha256(body));
    });

    it('checksum: an unsupported algorithm gets 400 and nothing is stored', async () => {
      const created = await tus.create({ 'Upload-Length': 100 });
      const chunk = Buffer.from('id,name\n');
      for (const header of [`sha512 ${digest64('sha512', chunk)}`, `SHA1 ${digest64('sha1', chunk)}`]) {
        const response = await tus.patch(created.location, 0, chunk, { 'Upload-Checksum': header });
        expect(response.status, header).toBe(400);
      }
      expect(await offsetOf(created.location)).toBe('0');
    });

    it('checksum: a malformed Upload-Checksum gets 400 and nothing is stored', async () => {
      const created = await tus.create({ 'Upload-Length': 100 });
      for (const header of ['sha1', 'sha1 not*base64', `sha1  ${digest64('sha1', Buffer.from('x'))}`]) {
        const response = await tus.patch(created.location, 0, Buffer.from('id\n'), { 'Upload-Checksum': header });
        expect(response.status, header).toBe(400);
      }
      expect(await offsetOf(created.location)).toBe('0');
    });

    it('checksum: a chunked-transfer PATCH is verified over all of its bytes', async () => {
      const body = csvBytes(200);
      const created = await tus.create({ 'Upload-Length': body.length });
      const pieces = [body.subarray(0, 700), body.subarray(700, 1500), body.subarray(1500)];
      const wrong = await tus.chunkedPatch(created.location, 0, pieces.slice(0, 2), {
        headers: { 'Upload-Checksum': checksumOf('sha256', body) },
      });
      expect(wrong.status).toBe(460);
      expect(await offsetOf(created.location)).toBe('0');
      const right = await tus.chunkedPatch(created.location, 0, pieces, {
        headers: { 'Upload-Checksum': checksumOf('sha256', body) },
      });
      expect(right.status).toBe(204);
      expect(sha256(await storedBytes(harness.baseUrl, token, idOf(created.location)))).toBe(sha256(body));
    });

    it('checksum-trailer: an Upload-Checksum sent as a trailer after a chunked body is verified', async () => {
      const body = csvBytes(100);
      const created = await tus.create({ 'Upload-Length': body.length });
      const pieces = [body.subarray(0, 300), body.subarray(300)];
      const wrong = await tus.chunkedPatch(created.location, 0, pieces, {
        trailers: { 'Upload-Checksum': checksumOf('md5', body.subarray(1)) },
      });
      expect(wrong.status).toBe(460);
      expect(await offsetOf(created.location)).toBe('0');
      const unsupported = await tus.chunkedPatch(created.location, 0, pieces, {
        trailers: { 'Upload-Checksum': `sha384 ${digest64('sha384', body)}` },
      });
      expect(unsupported.status).toBe(400);
      expect(await offsetOf(created.location)).toBe('0');
      const right = await tus.chunkedPatch(created.location, 0, pieces, {
        trailers: { 'Upload-Checksum': checksumOf('crc32', body) },
      });
      expect(right.status).toBe(204);
      expect(sha256(await storedBytes(harness.baseUrl, token, idOf(created.location)))).toBe(sha256(body));
    });
  });

  describe('concatenation', () => {
    async function partial(bytes: Buffer): Promise<string> {
      const created = await tus.create({
        'Upload-Concat': 'partial',
        'Upload-Length': bytes.length,
        'Upload-Metadata': null,
      });
      expect(created.status).toBe(201);
      expect((await tus.patch(created.location, 0, bytes)).status).toBe(204);
      return created.location;
    }

    it('concatenation: partials are joined in the listed order (absolute and relative URLs) into one final upload, imported once', async () => {
      const whole = csvBytes(300, 'joined');
      const pieces = [whole.subarray(0, 1000), whole.subarray(1000, 1001), whole.subarray(1001)];
      // Uploaded out of order, as parallel uploads finish.
      const urls = [
        await partial(pieces[2] as Buffer),
        await partial(pieces[0] as Buffer),
        await partial(pieces[1] as Buffer),
      ];
      for (const url of urls) expect(await jobsOf(idOf(url))).toHaveLength(0);
      const concat = `final;${urls[1]} ${new URL(urls[2] as string).pathname} ${urls[0]}`;
      const final = await tus.create({
        'Upload-Concat': concat,
        'Upload-Metadata': metadata({ filename: 'joined.csv' }),
      });
      expect(final.status).toBe(201);
      const head = await tus.head(final.location);
      expect(head.headers['upload-length']).toBe(String(whole.length));
      expect(head.headers['upload-offset']).toBe(String(whole.length));
      expect(head.headers['upload-concat']).toBe(concat);
      expect(sha256(await storedBytes(harness.baseUrl, token, idOf(final.location)))).toBe(sha256(whole));
      const row = await rowOf(idOf(final.location));
      expect(row).toMatchObject({ filename: 'joined.csv', owner: 'spec', state: 'uploaded', concat_role: 'final' });
      expect(await jobsOf(idOf(final.location))).toHaveLength(1);
      // The partials were consumed: no rows, no files, no jobs of their own.
      for (const url of urls) {
        expect(await rowOf(idOf(url))).toBeUndefined();
        expect((await tus.head(url)).status).toBe(404);
      }
      const listing = await apiRequest<{ uploads: { id: string }[] }>(harness.baseUrl, '/api/uploads?limit=100', token);
      expect(listing.body.uploads.map((u) => u.id)).toContain(idOf(final.location));
    });

    it('concatenation: HEAD on a partial answers Upload-Concat: partial and its Upload-Offset; it is not listed as an import', async () => {
      const created = await tus.create({ 'Upload-Concat': 'partial', 'Upload-Length': 50 });
      await tus.patch(created.location, 0, Buffer.from('id,name\n'));
      const head = await tus.head(created.location);
      expect(head.headers['upload-concat']).toBe('partial');
      expect(head.headers['upload-offset']).toBe('8');
      const listing = await apiRequest<{ uploads: { id: string }[] }>(harness.baseUrl, '/api/uploads?limit=100', token);
      expect(listing.body.uploads.map((u) => u.id)).not.toContain(idOf(created.location));
    });

    it('concatenation: a finished partial queues no import of its own', async () => {
      const url = await partial(csvBytes(5));
      expect((await rowOf(idOf(url)))?.state).toBe('uploaded');
      expect(await jobsOf(idOf(url))).toHaveLength(0);
    });

    it('concatenation: a PATCH on a final upload gets 403 and changes nothing', async () => {
      const whole = csvBytes(10);
      const final = await tus.create({ 'Upload-Concat': `final;${await partial(whole)}` });
      const response = await tus.patch(final.location, whole.length, Buffer.from('1,x\n'));
      expect(response.status).toBe(403);
      expect(sha256(await storedBytes(harness.baseUrl, token, idOf(final.location)))).toBe(sha256(whole));
    });

    it('concatenation: a final naming an unfinished partial is refused (concatenation-unfinished is not offered)', async () => {
      const unfinished = await tus.create({ 'Upload-Concat': 'partial', 'Upload-Length': 50 });
      await tus.patch(unfinished.location, 0, Buffer.from('id\n'));
      const response = await tus.create({
        'Upload-Concat': `final;${await partial(csvBytes(2))} ${unfinished.location}`,
      });
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body).error.message).toMatch(/not finished/);
    });

    it('concatenation: a final naming another owner’s partial answers exactly like one naming an unknown upload', async () => {
      const other = tusClient(harness.baseUrl, await harness.tokenFor('someone-else'));
      const theirs = await other.create({ 'Upload-Concat': 'partial', 'Upload-Length': 3 });
      await other.patch(theirs.location, 0, Buffer.from('a\nb'));
      const unknown = `${harness.baseUrl}/files/${'b'.repeat(32)}`;
      const mine = await partial(csvBytes(2));
      const stolen = await tus.create({ 'Upload-Concat': `final;${mine} ${theirs.location}` });
      const missing = await tus.create({ 'Upload-Concat': `final;${mine} ${unknown}` });
      expect(stolen.status).toBe(400);
      expect(missing.status).toBe(400);
      expect(stolen.body.replace(theirs.location, 'URL')).toBe(missing.body.replace(unknown, 'URL'));
      expect((await other.head(theirs.location)).status).toBe(200);
    });

    it('concatenation: a plain (non-partial) upload cannot be concatenated', async () => {
      const plain = await tus.create({ 'Upload-Length': 3 });
      await tus.patch(plain.location, 0, Buffer.from('a\nb'));
      expect((await tus.create({ 'Upload-Concat': `final;${plain.location}` })).status).toBe(400);
    });

    it('concatenation: a final with Upload-Length, or a malformed Upload-Concat, is 400', async () => {
      const url = await partial(csvBytes(2));
      expect((await tus.create({ 'Upload-Concat': `final;${url}`, 'Upload-Length': 5 })).status).toBe(400);
      for (const bad of ['final;', 'final', 'partial;x', 'whole']) {
        expect((await tus.create({ 'Upload-Concat': bad, 'Upload-Length': 5 })).status, bad).toBe(400);
      }
    });

    it('concatenation: a final longer than Tus-Max-Size is 413', async () => {
      const big = Buffer.alloc(60_000, 'a');
      const urls = [await partial(big), await partial(big)];
      expect((await tus.create({ 'Upload-Concat': `final;${urls.join(' ')}` })).status).toBe(413);
    });
  });

  describe('locking', () => {
    it('core (locking): a lock that cannot be had in time answers 503 with Retry-After, not 500', async () => {
      const created = await tus.create({ 'Upload-Length': 100 });
      const locker = harness.fileStore.locker;
      if (!locker) throw new Error('the store has no locker');
      // A holder that ignores requests to let go (as a stuck disk write would).
      const stuck = locker.newLock(idOf(created.location));
      await stuck.lock(new AbortController().signal, () => {});
      try {
        const response = await tus.patch(created.location, 0, Buffer.from('id,name\n'));
        expect(response.status).toBe(503);
        expect(response.headers['retry-after']).toBe('2');
        expect(response.headers['tus-resumable']).toBe('1.0.0');
      } finally {
        await stuck.unlock();
      }
      expect((await tus.patch(created.location, 0, Buffer.from('id,name\n'))).status).toBe(204);
    });
  });
});
