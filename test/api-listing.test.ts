// GET /api/config and GET /api/uploads: the owner's uploads newest first,
// paged with a cursor, each with its live offset while uploading.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadView } from '../server/uploads/upload-view.ts';
import { apiRequest } from './support/api-client.ts';
import { createUpload, patch } from './support/raw-tus.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from './support/test-service.ts';

describe.skipIf(databaseUnavailable())(`listing uploads (${databaseKind})`, () => {
  let harness: TestService;
  let token: string;
  const created: string[] = [];

  beforeAll(async () => {
    harness = await startTestService({ env: { WORKER_CONCURRENCY: '0', CHUNK_SIZE: '1048576' } });
    token = await harness.tokenFor('ivy');
    for (let i = 0; i < 5; i++) {
      const upload = await createUpload(harness.baseUrl, token, 100, { filename: `file-${i}.csv` });
      created.push(upload.url.split('/').pop() as string);
    }
    const other = await harness.tokenFor('jack');
    await createUpload(harness.baseUrl, other, 100, { filename: 'not-ivys.csv' });
    await patch(`${harness.baseUrl}/files/${created[0]}`, token, 0, Buffer.from('id,name\n1,a\n'));
  });
  afterAll(() => harness?.stop());

  it('describes the upload settings a client needs', async () => {
    const { status, body } = await apiRequest<Record<string, unknown>>(harness.baseUrl, '/api/config', token);
    expect(status).toBe(200);
    expect(body).toMatchObject({ maxFileSize: 3221225472, chunkSize: 1048576, tusEndpoint: '/files/' });
    expect(body.allowedTypes).toEqual(expect.arrayContaining(['.csv', 'text/csv']));
  });

  it('publishes an OpenAPI description of /api with the schemas the routes validate', async () => {
    const { status, body } = await apiRequest<{
      openapi: string;
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    }>(harness.baseUrl, '/api/docs', null);
    expect(status).toBe(200);
    expect(body.openapi).toMatch(/^3\./);
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining(['/api/config', '/api/uploads', '/api/uploads/{id}', '/api/uploads/{id}/rows']),
    );
    expect(Object.keys(body.paths).every((path) => path.startsWith('/api/'))).toBe(true);
    const rowsParameters = body.paths['/api/uploads/{id}/rows']?.get?.parameters?.map((p) => `${p.in}:${p.name}`);
    expect(rowsParameters).toEqual(expect.arrayContaining(['query:limit', 'query:after', 'path:id']));
  });

  it('pages through the owner’s uploads newest first', async () => {
    const seen: UploadView[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const page = await apiRequest<{ uploads: UploadView[]; nextCursor: string | null }>(
        harness.baseUrl,
        `/api/uploads${query}`,
        token,
      );
      expect(page.status).toBe(200);
      expect(page.body.uploads.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.uploads);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.map((u) => u.id)).toEqual([...created].reverse());
    expect(seen.map((u) => u.filename)).toEqual(['file-4.csv', 'file-3.csv', 'file-2.csv', 'file-1.csv', 'file-0.csv']);
    const first = seen.find((u) => u.id === created[0]);
    expect(first).toMatchObject({ state: 'uploading', size: 100, offset: 12, job: null });
  });
});
