// Fuzzing with fast-check: random tus headers never get a 5xx or take the
// server down, and random bytes uploaded as CSV end in a finished job
// (succeeded or failed with a message), never a crash or a stuck import.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRequest, jobFinished, waitForUpload } from '../support/api-client.ts';
import { createUpload, patch, rawRequest } from '../support/raw-tus.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from '../support/test-service.ts';

const number = fc.oneof(
  fc.nat().map(String),
  fc.integer().map(String),
  fc.double().map(String),
  fc.nat().map((n) => `0x${n.toString(16)}`),
  fc.constantFrom('', ' ', '1e3', '00012', '9'.repeat(40), '-0', '+5', '12abc', 'NaN', 'Infinity'),
  fc.string(),
);

const base64 = fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString('base64'));
const metadata = fc.oneof(
  fc
    .array(fc.tuple(fc.stringMatching(/^[a-z]{1,10}$/), base64), { maxLength: 5 })
    .map((pairs) => pairs.map(([key, value]) => `${key} ${value}`).join(',')),
  fc.string({ maxLength: 200 }),
  fc.constant(`filename ${Buffer.from('f.csv').toString('base64')}`),
);

const headerText = fc.string({ maxLength: 60 }).filter((s) => /^[\t\x20-\x7e]*$/.test(s));

describe.skipIf(databaseUnavailable())(`fuzzing (${databaseKind})`, () => {
  let harness: TestService;
  let token: string;
  let uploadUrl: string;

  beforeAll(async () => {
    harness = await startTestService({ env: { MAX_UNFINISHED_UPLOADS_PER_OWNER: '100000' } });
    token = await harness.tokenFor('fuzz');
    uploadUrl = (await createUpload(harness.baseUrl, token, 1_000_000)).url;
  });
  afterAll(() => harness?.stop());

  it('never answers a tus request with a 5xx, whatever the headers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('POST', 'PATCH', 'HEAD', 'DELETE', 'OPTIONS', 'GET'),
        fc.record(
          {
            'Upload-Length': number,
            'Upload-Offset': number,
            'Upload-Metadata': metadata,
            'Tus-Resumable': fc.oneof(fc.constant('1.0.0'), headerText),
            'Content-Type': fc.oneof(fc.constant('application/offset+octet-stream'), headerText),
            'Upload-Defer-Length': fc.constantFrom('1', '0', 'x'),
            'Upload-Concat': fc.oneof(fc.constant('partial'), headerText),
          },
          { requiredKeys: [] },
        ),
        fc.uint8Array({ maxLength: 64 }),
        async (method, headers, body) => {
          const url = method === 'POST' ? `${harness.baseUrl}/files/` : uploadUrl;
          const safeHeaders = Object.fromEntries(Object.entries(headers).filter(([, v]) => /^[\t\x20-\x7e]*$/.test(v)));
          const response = await rawRequest(
            url,
            method,
            { ...safeHeaders, Authorization: `Bearer ${token}` },
            method === 'PATCH' || method === 'POST' ? Buffer.from(body) : undefined,
          );
          expect(response.status, `${method} ${JSON.stringify(safeHeaders)} -> ${response.body}`).toBeLessThan(500);
        },
      ),
      { numRuns: 300 },
    );
    expect((await apiRequest(harness.baseUrl, '/healthz', null)).status).toBe(200);
  });

  it('imports or refuses random bytes as CSV, always finishing the job', async () => {
    const csvish = fc
      .array(
        fc.constantFrom('a', '1', ',', ';', '"', '\n', '\r\n', ' ', '\t', 'é', '\u0000', "'", '|', 'x'.repeat(30)),
        {
          maxLength: 400,
        },
      )
      .map((parts) => Buffer.from(parts.join('')));
    const bytes = fc.uint8Array({ minLength: 1, maxLength: 2000 }).map((b) => Buffer.from(b));
    await fc.assert(
      fc.asyncProperty(fc.oneof(csvish, bytes), async (content) => {
        if (content.length === 0) return;
        const created = await createUpload(harness.baseUrl, token, content.length);
        expect((await patch(created.url, token, 0, content)).status).toBe(204);
        const id = created.url.split('/').pop() as string;
        const { upload } = await waitForUpload(harness.baseUrl, token, id, jobFinished, { intervalMs: 30 }).catch(
          async () => ({ upload: (await apiRequest<never>(harness.baseUrl, `/api/uploads/${id}`, token)).body }),
        );
        expect(['succeeded', 'failed']).toContain((upload as { job: { state: string } }).job.state);
      }),
      { numRuns: 25 },
    );
    expect((await apiRequest(harness.baseUrl, '/healthz', null)).status).toBe(200);
  });
});
