// The errors report through the real HTTP route: a tus upload with a mapping,
// imported by the real worker, then GET /api/uploads/:id/errors as CSV —
// columns, content, spreadsheet-safe cells, filename, paging and ownership.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadView } from '../server/uploads/upload-view.ts';
import { apiRequest, jobFinished, uploadIdFromUrl, waitForUpload } from './support/api-client.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from './support/test-service.ts';
import { tusUpload } from './support/tus-client.ts';

describe.skipIf(databaseUnavailable())(`errors report (${databaseKind})`, () => {
  let harness: TestService;
  let workDir: string;
  let token: string;

  beforeAll(async () => {
    harness = await startTestService();
    token = await harness.tokenFor('alice');
    workDir = await mkdtemp(join(tmpdir(), 'csvup-errors-'));
  });
  afterAll(async () => {
    await harness?.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  async function importFile(name: string, content: string, metadata: Record<string, string> = {}) {
    const path = join(workDir, name);
    await writeFile(path, content);
    const { url } = await tusUpload({ endpoint: `${harness.baseUrl}/files/`, token, path, metadata });
    const id = uploadIdFromUrl(url);
    const { upload } = await waitForUpload(harness.baseUrl, token, id, jobFinished);
    return { id, upload };
  }

  it('streams line, record, column, message and raw row as a CSV that opens safely in a spreadsheet', async () => {
    const csv = 'id;amount\n1;10\n=SUM(A1:A9);oops;extra\n2;-5x\n-3;abc\n4;40\n';
    const mapping = JSON.stringify([{ source: 'id' }, { source: 'amount', type: 'integer' }]);
    const { id, upload } = await importFile('report=1 (final).csv', csv, { mapping });
    expect(upload.job?.state).toBe('succeeded');
    expect(upload.job?.result).toMatchObject({
      rows: 2,
      rowsRejected: 3,
      columns: ['id', 'amount'],
      columnTypes: { id: 'text', amount: 'integer' },
      encoding: { name: 'utf-8', bom: false },
      dialect: { delimiter: ';', quote: '"', lineEnding: '\n' },
      header: { present: true, names: ['id', 'amount'], renamed: [], titleLinesSkipped: [] },
    });

    const response = await apiRequest<string>(harness.baseUrl, `/api/uploads/${id}/errors`, token);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="report_1 \(final\)-errors\.csv"; filename\*=UTF-8''report%3D1%20%28final%29-errors\.csv$/,
    );
    expect(response.body.split('\r\n')[0]).toBe('line,record,column,message,raw');
    expect(parse(response.body, { columns: true })).toEqual([
      {
        line: '3',
        record: '2',
        column: '',
        message: 'expected 2 columns, found 3',
        raw: `'=SUM(A1:A9);oops;extra`,
      },
      { line: '4', record: '3', column: 'amount', message: '"-5x" is not an integer', raw: '2;-5x' },
      { line: '5', record: '4', column: 'amount', message: '"abc" is not an integer', raw: "'-3;abc" },
    ]);

    const rows = await apiRequest<{ rows: { data: unknown }[] }>(harness.baseUrl, `/api/uploads/${id}/rows`, token);
    expect(rows.body.rows.map((row) => row.data)).toEqual([
      { id: '1', amount: 10 },
      { id: '4', amount: 40 },
    ]);
  });

  it('pages through thousands of errors in record order', async () => {
    const csv = `a,b\n${Array.from({ length: 2600 }, (_, i) => (i % 2 === 0 ? `${i}` : `${i},ok`)).join('\n')}\n`;
    const { id, upload } = await importFile('many.csv', csv);
    expect(upload.job?.result).toMatchObject({ rows: 1300, rowsRejected: 1300 });
    const response = await apiRequest<string>(harness.baseUrl, `/api/uploads/${id}/errors`, token);
    const records = parse(response.body, { columns: true }) as { record: string; raw: string }[];
    expect(records).toHaveLength(1300);
    expect(records.map((r) => Number(r.record))).toEqual(Array.from({ length: 1300 }, (_, i) => 2 * i + 1));
    expect(records[1299].raw).toBe('2598');
  });

  it("answers another owner's request with the same 404 as an unknown id", async () => {
    const { id } = await importFile('mine.csv', 'a\n1\n');
    const bob = await harness.tokenFor('bob');
    const foreign = await apiRequest(harness.baseUrl, `/api/uploads/${id}/errors`, bob);
    const unknown = await apiRequest(harness.baseUrl, '/api/uploads/0123456789abcdef0123456789abcdef/errors', bob);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(unknown.body);
    const own = await apiRequest<UploadView | string>(harness.baseUrl, `/api/uploads/${id}/errors`, token);
    expect(own.body).toBe('line,record,column,message,raw\r\n');
  });
});
