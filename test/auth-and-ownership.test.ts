// Tokens and ownership: no token is 401 everywhere but health; another
// owner's upload answers exactly like an id that does not exist, on the API
// and on every tus verb.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRequest } from './support/api-client.ts';
import { createUpload, rawRequest } from './support/raw-tus.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from './support/test-service.ts';

describe.skipIf(databaseUnavailable())(`authentication and ownership (${databaseKind})`, () => {
  let harness: TestService;
  let alice: string;
  let mallory: string;
  let uploadUrl: string;
  let uploadId: string;

  beforeAll(async () => {
    harness = await startTestService({
      env: { AUTH_TOKENS: 'envowner:env-token-0123456789abcdef', WORKER_CONCURRENCY: '0' },
    });
    alice = await harness.tokenFor('alice');
    mallory = await harness.tokenFor('mallory');
    const created = await createUpload(harness.baseUrl, alice, 100);
    uploadUrl = created.url;
    uploadId = uploadUrl.split('/').pop() as string;
  });
  afterAll(() => harness?.stop());

  it('answers 401 with a JSON error and a Bearer challenge when the token is missing or wrong', async () => {
    for (const token of [null, 'not-a-real-token']) {
      const response = await apiRequest<{ error: { code: string } }>(harness.baseUrl, '/api/uploads', token);
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('unauthorized');
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    const tusCreate = await rawRequest(`${harness.baseUrl}/files/`, 'POST', {
      'Tus-Resumable': '1.0.0',
      'Upload-Length': 10,
    });
    expect(tusCreate.status).toBe(401);
    expect((await rawRequest(uploadUrl, 'HEAD', { 'Tus-Resumable': '1.0.0' })).status).toBe(401);
  });

  it('leaves health, readiness and tus discovery (OPTIONS) open', async () => {
    expect((await apiRequest(harness.baseUrl, '/healthz', null)).status).toBe(200);
    expect((await apiRequest(harness.baseUrl, '/readyz', null)).status).toBe(200);
    const options = await rawRequest(`${harness.baseUrl}/files/`, 'OPTIONS', {});
    expect(options.status).toBe(204);
    expect(options.headers['tus-version']).toContain('1.0.0');
  });

  it('accepts tokens from AUTH_TOKENS', async () => {
    const response = await apiRequest(harness.baseUrl, '/api/uploads', 'env-token-0123456789abcdef');
    expect(response.status).toBe(200);
  });

  it("hides another owner's upload: the same 404 as an unknown id on every route", async () => {
    const unknownId = '0123456789abcdef0123456789abcdef';
    const unknownUrl = uploadUrl.replace(uploadId, unknownId);
    const tusHeaders = { 'Tus-Resumable': '1.0.0', Authorization: `Bearer ${mallory}` };
    const patchHeaders = { ...tusHeaders, 'Upload-Offset': 0, 'Content-Type': 'application/offset+octet-stream' };
    for (const [method, headers, body] of [
      ['HEAD', tusHeaders, undefined],
      ['PATCH', patchHeaders, Buffer.from('id,name\n')],
      ['DELETE', tusHeaders, undefined],
      ['GET', tusHeaders, undefined],
    ] as const) {
      const foreign = await rawRequest(uploadUrl, method, headers, body);
      const unknown = await rawRequest(unknownUrl, method, headers, body);
      expect(foreign.status, method).toBe(404);
      expect(foreign.body).toBe(unknown.body);
      expect(foreign.headers['content-type']).toBe(unknown.headers['content-type']);
    }
    for (const path of [`/api/uploads/${uploadId}`, `/api/uploads/${uploadId}/rows`]) {
      const foreign = await apiRequest(harness.baseUrl, path, mallory);
      const unknown = await apiRequest(harness.baseUrl, path.replace(uploadId, unknownId), mallory);
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual(unknown.body);
    }
    const list = await apiRequest<{ uploads: unknown[] }>(harness.baseUrl, '/api/uploads', mallory);
    expect(list.body.uploads).toEqual([]);

    // The owner still sees and resumes it: the foreign DELETE above removed nothing.
    const own = await rawRequest(uploadUrl, 'HEAD', { 'Tus-Resumable': '1.0.0', Authorization: `Bearer ${alice}` });
    expect(own.status).toBe(200);
    expect(own.headers['upload-offset']).toBe('0');
  });

  it('refuses ids that could name a path, before touching the disk', async () => {
    for (const id of ['..%2F..%2Fetc%2Fpasswd', '%2E%2E', 'ABCDEF0123456789abcdef0123456789', 'x'.repeat(300)]) {
      const response = await rawRequest(`${harness.baseUrl}/files/${id}`, 'HEAD', {
        'Tus-Resumable': '1.0.0',
        Authorization: `Bearer ${alice}`,
      });
      expect(response.status).toBe(404);
    }
  });
});
