// The IETF resumable-upload draft beside tus 1.0, continued: what differs
// between interop versions 5 and 6, versions this server does not speak, one
// upload shared by both protocols, expiry, and the capacity checks of creation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../support/raw-tus.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from '../support/test-service.ts';
import { draftClient } from './draft-wire.ts';
import { ageStoredUpload, csvBytes, idOf, sha256, storedBytes, tusClient } from './tus-wire.ts';

const ORIGIN = 'https://app.example';

describe.skipIf(databaseUnavailable())(`resumable uploads draft: versions and protocols (${databaseKind})`, () => {
  let harness: TestService;
  let token: string;

  beforeAll(async () => {
    harness = await startTestService({
      env: { UPLOAD_EXPIRY_HOURS: '1', WORKER_CONCURRENCY: '0', CORS_ORIGINS: ORIGIN },
      maintenance: false,
    });
    token = await harness.tokenFor('draft');
  });
  afterAll(() => harness?.stop());

  const absolute = (location: string | undefined) => new URL(String(location), harness.baseUrl).href;

  it('upload append (interop 6): content not sent as application/partial-upload gets 415 and changes nothing; interop 5 takes it without', async () => {
    const six = draftClient(harness.baseUrl, token, 6);
    const created = await six.create(false, undefined, { 'Upload-Length': 20 });
    const location = absolute(created.headers.location);
    for (const type of [null, 'application/offset+octet-stream', 'text/csv']) {
      const response = await six.append(location, 0, false, Buffer.from('id\n'), { 'Content-Type': type });
      expect(response.status, `Content-Type: ${type}`).toBe(415);
    }
    expect((await six.head(location)).headers['upload-offset']).toBe('0');
    const five = draftClient(harness.baseUrl, token, 5);
    expect((await five.append(location, 0, false, Buffer.from('id\n'))).status).toBe(204);
  });

  it('interop version: a version this server does not speak is refused with 400 naming 5 and 6', async () => {
    const response = await draftClient(harness.baseUrl, token, 5).create(true, csvBytes(2), {
      'Upload-Draft-Interop-Version': 4,
    });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error.message).toMatch(/5 and 6/);
    // Discovery with such a version is plain tus discovery.
    const options = await rawRequest(`${harness.baseUrl}/files/`, 'OPTIONS', { 'Upload-Draft-Interop-Version': '4' });
    expect(options.status).toBe(204);
    expect(options.headers['upload-limit']).toBeUndefined();
  });

  it('one upload, two protocols: a draft upload is a tus upload too (tus HEAD and PATCH continue it), and tus answers keep Tus-Resumable', async () => {
    const body = csvBytes(50);
    const created = await draftClient(harness.baseUrl, token, 6).create(false, body.subarray(0, 100), {
      'Upload-Length': body.length,
    });
    const location = absolute(created.headers.location);
    const tus = tusClient(harness.baseUrl, token);
    const head = await tus.head(location);
    expect(head.status).toBe(200);
    expect(head.headers['upload-offset']).toBe('100');
    expect(head.headers['tus-resumable']).toBe('1.0.0');
    expect((await tus.patch(location, 100, body.subarray(100))).status).toBe(204);
    expect(sha256(await storedBytes(harness.baseUrl, token, idOf(location)))).toBe(sha256(body));
    const options = await rawRequest(`${harness.baseUrl}/files/`, 'OPTIONS', {});
    expect(options.headers['upload-limit']).toBeUndefined();
  });

  it('browsers (CORS_ORIGINS): the preflight allows the draft headers, and draft answers expose them to an allowed origin only', async () => {
    const preflight = await rawRequest(`${harness.baseUrl}/files/`, 'OPTIONS', {
      Origin: ORIGIN,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'upload-draft-interop-version, upload-complete, content-disposition',
    });
    const allowed = String(preflight.headers['access-control-allow-headers']).toLowerCase();
    // tus's own preflight headers too: @fastify/cors (for /api) no longer answers /files preflights.
    for (const name of [
      'upload-draft-interop-version',
      'upload-complete',
      'content-disposition',
      'tus-resumable',
      'upload-length',
    ]) {
      expect(allowed).toContain(name);
    }
    const draft = draftClient(harness.baseUrl, token, 6);
    const created = await draft.create(false, undefined, { Origin: ORIGIN, 'Upload-Length': 10 });
    expect(created.headers['access-control-allow-origin']).toBe(ORIGIN);
    const exposed = String(created.headers['access-control-expose-headers']);
    for (const name of [
      'Location',
      'Upload-Offset',
      'Upload-Complete',
      'Upload-Limit',
      'Upload-Draft-Interop-Version',
    ]) {
      expect(exposed).toContain(name);
    }
    const head = await draft.send('HEAD', absolute(created.headers.location), { Origin: 'https://elsewhere.example' });
    expect(head.status).toBe(204);
    expect(head.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('offset retrieval: an upload idle past UPLOAD_EXPIRY_HOURS is no longer active: 404, and an append is refused alike', async () => {
    const draft = draftClient(harness.baseUrl, token, 6);
    const created = await draft.create(false, csvBytes(5).subarray(0, 10), { 'Upload-Length': 100 });
    const location = absolute(created.headers.location);
    // As if its last byte had arrived two hours ago.
    await ageStoredUpload(harness.fileStore, idOf(location), 2 * 3_600_000);
    expect((await draft.head(location)).status).toBe(404);
    expect((await draft.append(location, 10, true, csvBytes(5).subarray(10))).status).toBe(404);
  });
});

describe.skipIf(databaseUnavailable())(`resumable uploads draft: capacity (${databaseKind})`, () => {
  let harness: TestService;
  afterAll(() => harness?.stop());

  it('upload creation: a disk without MIN_FREE_DISK_MB to spare refuses a draft upload with 507 before a byte is stored', async () => {
    harness = await startTestService({
      env: { WORKER_CONCURRENCY: '0', MIN_FREE_DISK_MB: String(1024 * 1024 * 1024) },
      maintenance: false,
    });
    const draft = draftClient(harness.baseUrl, await harness.tokenFor('full'), 6);
    const response = await draft.create(true, csvBytes(10));
    expect(response.status).toBe(507);
    expect(response.interim).toHaveLength(0);
    expect(await harness.service.database.db.selectFrom('uploads').select('id').execute()).toHaveLength(0);
  });
});
