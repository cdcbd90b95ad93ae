// Bad input gets a clear error with a fitting status and stores nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRequest } from './support/api-client.ts';
import { createUpload, encodeMetadata, rawRequest } from './support/raw-tus.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from './support/test-service.ts';

describe.skipIf(databaseUnavailable())(`bad input (${databaseKind})`, () => {
  let harness: TestService;
  let token: string;

  beforeAll(async () => {
    harness = await startTestService({ env: { MAX_FILE_SIZE: '1000000', WORKER_CONCURRENCY: '0' } });
    token = await harness.tokenFor('carol');
  });
  afterAll(() => harness?.stop());

  async function uploadCount(): Promise<number> {
    const rows = await harness.service.database.db.selectFrom('uploads').select('id').execute();
    return rows.length;
  }

  it('refuses a missing filename with 400', async () => {
    const response = await createUpload(harness.baseUrl, token, 10, { filetype: 'text/csv' });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error).toEqual({
      code: 'invalid_metadata',
      message: 'Upload-Metadata must include a non-empty "filename"',
    });
  });

  it('refuses files that are not CSV with 415 and says what is accepted', async () => {
    for (const metadata of <Record<string, string>[]>[
      { filename: 'photo.png', filetype: 'image/png' },
      { filename: 'data.csv', filetype: 'image/png' },
      { filename: 'report.pdf' },
    ]) {
      const response = await createUpload(harness.baseUrl, token, 10, metadata);
      expect(response.status).toBe(415);
      expect(JSON.parse(response.body).error.message).toMatch(/not a CSV file/);
    }
  });

  it('refuses a declared size above MAX_FILE_SIZE with 413 and announces the limit', async () => {
    const response = await createUpload(harness.baseUrl, token, 1_000_001);
    expect(response.status).toBe(413);
    const options = await rawRequest(`${harness.baseUrl}/files/`, 'OPTIONS', {});
    expect(options.headers['tus-max-size']).toBe('1000000');
  });

  it('refuses malformed metadata and lengths with 400', async () => {
    const base = { 'Tus-Resumable': '1.0.0', Authorization: `Bearer ${token}` };
    const badMetadata = await rawRequest(`${harness.baseUrl}/files/`, 'POST', {
      ...base,
      'Upload-Length': 10,
      'Upload-Metadata': 'filename not*base64!',
    });
    expect(badMetadata.status).toBe(400);
    const badLength = await rawRequest(`${harness.baseUrl}/files/`, 'POST', {
      ...base,
      'Upload-Length': '-5',
      'Upload-Metadata': encodeMetadata({ filename: 'a.csv' }),
    });
    expect(badLength.status).toBe(400);
  });

  it('refuses bad import options at creation with 400, naming the option', async () => {
    for (const [metadata, key] of [
      [{ filename: 'a.csv', delimiter: 'ab' }, 'delimiter'],
      [{ filename: 'a.csv', encoding: 'ebcdic' }, 'encoding'],
      [{ filename: 'a.csv', header: 'maybe' }, 'header'],
      [{ filename: 'a.csv', mapping: '{not json' }, 'mapping'],
    ] as const) {
      const response = await createUpload(harness.baseUrl, token, 10, metadata);
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body).error.message).toContain(key);
    }
  });

  it('stored nothing for any refused upload', async () => {
    expect(await uploadCount()).toBe(0);
  });

  it('answers 404 for unknown uploads and routes, 400 for bad query parameters', async () => {
    const unknown = await apiRequest<{ error: { code: string } }>(
      harness.baseUrl,
      '/api/uploads/ffffffffffffffffffffffffffffffff',
      token,
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    expect((await apiRequest(harness.baseUrl, '/api/nothing-here', token)).status).toBe(404);
    expect((await apiRequest(harness.baseUrl, '/api/uploads?limit=0', token)).status).toBe(400);
    expect((await apiRequest(harness.baseUrl, '/api/uploads?cursor=%%%', token)).status).toBe(400);
  });
});
