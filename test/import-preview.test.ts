// GET /api/uploads/:id/preview against a real service: what an import would
// find and store, with the dialect changed or a column retyped by query
// parameters, without storing a row; owner isolation and bad options.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportPreview } from '../server/import/preview-import.ts';
import { apiRequest, jobFinished, waitForUpload } from './support/api-client.ts';
import { createUpload, patch } from './support/raw-tus.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from './support/test-service.ts';

const CSV = 'Note: exported 2024\nid;amount;city\n1;12,50;Oslo\n2;7,5;Bergen\nx;1;Molde, west\n';

describe.skipIf(databaseUnavailable())(`import preview (${databaseKind})`, () => {
  let harness: TestService;
  let token: string;
  let id: string;
  const preview = (query: Record<string, string>, as = token) =>
    apiRequest<ImportPreview>(harness.baseUrl, `/api/uploads/${id}/preview?${new URLSearchParams(query)}`, as);

  beforeAll(async () => {
    harness = await startTestService();
    token = await harness.tokenFor('pia');
    const body = Buffer.from(CSV);
    const created = await createUpload(harness.baseUrl, token, body.length, { filename: 'amounts.csv' });
    expect((await patch(created.url, token, 0, body)).status).toBe(204);
    id = created.url.split('/').pop() as string;
    await waitForUpload(harness.baseUrl, token, id, jobFinished);
  });
  afterAll(() => harness?.stop());

  it('shows what was found, the first rows and the suggested types', async () => {
    const { status, body } = await preview({});
    expect(status).toBe(200);
    expect(body).toMatchObject({
      encoding: { name: 'utf-8' },
      dialect: { delimiter: ';', quote: '"' },
      header: { present: true, names: ['id', 'amount', 'city'], titleLinesSkipped: ['Note: exported 2024'] },
      columns: ['id', 'amount', 'city'],
      wholeFile: true,
      problem: null,
    });
    expect(body.rows.map((row) => row.values)).toEqual([
      ['1', '12,50', 'Oslo'],
      ['2', '7,5', 'Bergen'],
      ['x', '1', 'Molde, west'],
    ]);
    expect(body.suggestedMapping.columns.map((column) => column.type)).toEqual(['text', 'decimal', 'text']);
    expect((await preview({ rows: '1' })).body.rows).toHaveLength(1);
  });

  it('re-reads the file at once with another dialect or a retyped column', async () => {
    const comma = await preview({ delimiter: ',', header: 'false' });
    expect(comma.body.dialect).toMatchObject({ delimiter: ',', declared: ['delimiter', 'header'] });
    expect(comma.body.header.present).toBe(false);
    const mapping = JSON.stringify({
      columns: [
        { source: 'id', name: 'id', type: 'integer' },
        { source: 'amount', name: 'amount', type: 'decimal', decimalSeparator: ',' },
      ],
    });
    const typed = await preview({ mapping });
    expect(typed.body.columns).toEqual(['id', 'amount']);
    expect(typed.body.rows.map((row) => row.values)).toEqual([
      [1, '12.50'],
      [2, '7.5'],
    ]);
    expect(typed.body.rejected).toEqual([
      { line: 5, column: 'id', message: expect.stringMatching(/"x"/), raw: 'x;1;Molde, west' },
    ]);
  });

  it('refuses bad options with 400, hides other owners uploads, and stores nothing', async () => {
    const bad = await preview({ quote: 'ab' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { message: expect.stringMatching(/quote/) } });
    const missing = await preview({ mapping: JSON.stringify({ columns: [{ source: 'nope' }] }) });
    expect(missing.status).toBe(400);
    const other = await preview({}, await harness.tokenFor('otto'));
    expect(other.status).toBe(404);
    const rows = await apiRequest<{ rows: unknown[] }>(harness.baseUrl, `/api/uploads/${id}/rows`, token);
    expect(rows.body.rows).toHaveLength(3);
  });

  it('answers 409 for an upload still in progress', async () => {
    const created = await createUpload(harness.baseUrl, token, 100, { filename: 'half.csv' });
    const halfId = created.url.split('/').pop() as string;
    const response = await apiRequest(harness.baseUrl, `/api/uploads/${halfId}/preview`, token);
    expect(response.status).toBe(409);
  });
});
