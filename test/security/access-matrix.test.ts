// Every route (tus verbs and /api) against every kind of credential: none,
// malformed, revoked, another owner's, the owner's own. Another owner's
// answers are byte-identical to an unknown id's. Odd and traversal ids are
// 404 everywhere and touch nothing outside the upload directory.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobFinished, waitForUpload } from '../support/api-client.ts';
import { createUpload, patch, type RawResponse, rawRequest } from '../support/raw-tus.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from '../support/test-service.ts';

interface Route {
  method: string;
  path: (id: string) => string;
  /** The owner's expected status. */
  own: number;
  tus?: boolean;
  body?: Buffer;
}

const CSV = Buffer.from('id,name\n1,a\n');
const UNKNOWN = '0123456789abcdef0123456789abcdef';

// Mutating routes come last so earlier checks see the upload intact.
const ID_ROUTES: Route[] = [
  { method: 'HEAD', path: (id) => `/files/${id}`, own: 200, tus: true },
  { method: 'GET', path: (id) => `/files/${id}`, own: 200, tus: true },
  { method: 'PATCH', path: (id) => `/files/${id}`, own: 409, tus: true, body: Buffer.from('x') },
  { method: 'GET', path: (id) => `/api/uploads/${id}`, own: 200 },
  { method: 'GET', path: (id) => `/api/uploads/${id}/rows`, own: 200 },
  { method: 'GET', path: (id) => `/api/uploads/${id}/errors`, own: 200 },
  { method: 'GET', path: (id) => `/api/uploads/${id}/rejected`, own: 200 },
  { method: 'GET', path: (id) => `/api/uploads/${id}/preview`, own: 200 },
  // Not held for review: the owner hears 409, everyone else the usual 404.
  { method: 'POST', path: (id) => `/api/uploads/${id}/import`, own: 409 },
  { method: 'POST', path: (id) => `/api/uploads/${id}/cancel`, own: 409 },
  { method: 'POST', path: (id) => `/api/uploads/${id}/retry`, own: 409 },
  { method: 'DELETE', path: (id) => `/api/uploads/${id}`, own: 204 },
];

const COLLECTION_ROUTES: Route[] = [
  { method: 'GET', path: () => '/api/config', own: 200 },
  { method: 'GET', path: () => '/api/uploads', own: 200 },
  { method: 'POST', path: () => '/files/', own: 201, tus: true },
];

describe.skipIf(databaseUnavailable())(`access matrix (${databaseKind})`, () => {
  let harness: TestService;
  let own: string;
  let other: string;
  let revoked: string;
  let uploadId: string;

  beforeAll(async () => {
    harness = await startTestService();
    own = await harness.tokenFor('quinn');
    other = await harness.tokenFor('rita');
    revoked = await harness.tokenFor('quinn');
    await harness.service.database.db
      .updateTable('api_tokens')
      .set({ revoked_at: new Date() })
      .where('id', '=', 3)
      .execute();
    const created = await createUpload(harness.baseUrl, own, CSV.length);
    await patch(created.url, own, 0, CSV);
    uploadId = created.url.split('/').pop() as string;
    await waitForUpload(harness.baseUrl, own, uploadId, jobFinished);
  });
  afterAll(() => harness?.stop());

  function send(route: Route, id: string, authorization: string | null): Promise<RawResponse> {
    const headers: Record<string, string | number> = {};
    if (authorization !== null) headers.Authorization = authorization;
    if (route.tus) headers['Tus-Resumable'] = '1.0.0';
    if (route.method === 'PATCH') {
      headers['Upload-Offset'] = 0;
      headers['Content-Type'] = 'application/offset+octet-stream';
    }
    if (route.method === 'POST' && route.tus) {
      headers['Upload-Length'] = 10;
      headers['Upload-Metadata'] = `filename ${Buffer.from('m.csv').toString('base64')}`;
    }
    return rawRequest(`${harness.baseUrl}${route.path(id)}`, route.method, headers, route.body);
  }

  const badCredentials = () =>
    [
      ['no token', null],
      ['empty bearer', 'Bearer '],
      ['wrong scheme', `Basic ${Buffer.from('quinn:pw').toString('base64')}`],
      ['unknown token', 'Bearer cut_not-a-token'],
      ['revoked token', `Bearer ${revoked}`],
    ] as const;

  it('answers 401 to missing, malformed, unknown and revoked tokens on every route', async () => {
    for (const route of [...ID_ROUTES, ...COLLECTION_ROUTES]) {
      for (const [label, authorization] of badCredentials()) {
        const response = await send(route, uploadId, authorization);
        expect(response.status, `${route.method} ${route.path('<id>')} with ${label}`).toBe(401);
      }
    }
  });

  it('answers another owner exactly as for an unknown id, on every route with an id', async () => {
    for (const route of ID_ROUTES) {
      const foreign = await send(route, uploadId, `Bearer ${other}`);
      const unknown = await send(route, UNKNOWN, `Bearer ${other}`);
      const name = `${route.method} ${route.path('<id>')}`;
      expect(foreign.status, name).toBe(404);
      expect(foreign.body, name).toBe(unknown.body);
      const { date: _d1, 'x-request-id': _r1, ...foreignHeaders } = foreign.headers;
      const { date: _d2, 'x-request-id': _r2, ...unknownHeaders } = unknown.headers;
      expect(foreignHeaders, name).toEqual(unknownHeaders);
    }
  });

  it('serves the owner on every route', async () => {
    for (const route of [...COLLECTION_ROUTES, ...ID_ROUTES]) {
      const response = await send(route, uploadId, `Bearer ${own}`);
      expect(response.status, `${route.method} ${route.path('<id>')}`).toBe(route.own);
    }
  });

  it('can turn raw downloads off (ALLOW_DOWNLOADS=false): the owner then gets 404 too', async () => {
    const closed = await startTestService({ env: { ALLOW_DOWNLOADS: 'false', WORKER_CONCURRENCY: '0' } });
    try {
      const token = await closed.tokenFor('quinn');
      const created = await createUpload(closed.baseUrl, token, CSV.length);
      await patch(created.url, token, 0, CSV);
      const download = await rawRequest(created.url, 'GET', { Authorization: `Bearer ${token}` });
      expect(download.status).toBe(404);
      const status = await rawRequest(created.url, 'HEAD', {
        Authorization: `Bearer ${token}`,
        'Tus-Resumable': '1.0.0',
      });
      expect(status.status).toBe(200);
    } finally {
      await closed.stop();
    }
  });

  it('answers 404 to odd and traversal ids on every route, touching nothing outside the upload directory', async () => {
    const outside = join(harness.dataDir, 'outside.csv');
    await writeFile(outside, 'keep me');
    const oddIds = [
      '..%2Foutside.csv',
      '%2e%2e%2f%2e%2e%2foutside.csv',
      '..%5Coutside.csv',
      `${'a'.repeat(31)}%00`,
      'a'.repeat(2000),
      '%C3%A9%C3%A9%C3%A9',
      UNKNOWN.toUpperCase(),
      '.',
    ];
    for (const route of ID_ROUTES) {
      for (const id of oddIds) {
        const response = await send(route, id, `Bearer ${own}`);
        expect([404, 414], `${route.method} ${route.path(id).slice(0, 60)}`).toContain(response.status);
      }
    }
    expect(await readFile(outside, 'utf8')).toBe('keep me');
  });
});
