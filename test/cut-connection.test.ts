// A PATCH whose connection dies midway: the server keeps the bytes it got,
// HEAD reports them, and the upload completes from there byte-identical.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvLine, FIXTURE_HEADER, fixtureRow } from './support/csv-fixtures.ts';
import { createUpload, cutPatch, head, patch } from './support/raw-tus.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from './support/test-service.ts';

function buildCsv(rows: number): Buffer {
  const lines = [csvLine(FIXTURE_HEADER)];
  for (let n = 1; n <= rows; n++) lines.push(csvLine(fixtureRow(n)));
  return Buffer.from(lines.join(''));
}

describe.skipIf(databaseUnavailable())(`cut connection mid-PATCH (${databaseKind})`, () => {
  let harness: TestService;
  let token: string;

  beforeAll(async () => {
    harness = await startTestService({ env: { WORKER_CONCURRENCY: '0' } });
    token = await harness.tokenFor('bob');
  });
  afterAll(() => harness?.stop());

  it('keeps what arrived before the cut and completes from the server offset', async () => {
    const content = buildCsv(120_000);
    const created = await createUpload(harness.baseUrl, token, content.length);
    expect(created.status).toBe(201);

    const firstPart = content.subarray(0, 3 * 1024 * 1024);
    await cutPatch(created.url, token, 0, firstPart, content.length);

    // The bytes that reached the server before the cut are kept; what was still in flight
    // (socket buffers) may be lost, and nothing is invented.
    let offset = 0;
    let previous = -1;
    for (let i = 0; i < 50 && offset !== previous; i++) {
      previous = offset;
      await new Promise((r) => setTimeout(r, 100));
      offset = Number((await head(created.url, token)).headers['upload-offset']);
    }
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThanOrEqual(firstPart.length);

    // A PATCH at a stale offset is refused without changing the upload.
    expect((await patch(created.url, token, 0, content.subarray(0, 10))).status).toBe(409);

    const rest = await patch(created.url, token, offset, content.subarray(offset));
    expect(rest.status).toBe(204);
    expect(Number(rest.headers['upload-offset'])).toBe(content.length);

    const id = created.url.split('/').pop() as string;
    const stored = await readFile(harness.fileStore.filePath(id));
    expect(createHash('sha256').update(stored).digest('hex')).toBe(createHash('sha256').update(content).digest('hex'));
    const row = await harness.service.database.db
      .selectFrom('uploads')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.state).toBe('uploaded');
  });
});
