import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { JobProgress } from '../../db/schema.ts';
import {
  availableDatabaseKinds,
  createRunningJob,
  createSink,
  readJob,
  readRowErrors,
  readRows,
  useImportTestbed,
} from '../../test/support/import-testbed.ts';
import { ImportFileError, importCsvFile } from './import-csv-file.ts';

const kinds = await availableDatabaseKinds();
const sha256 = (content: string | Buffer) => createHash('sha256').update(content).digest('hex');

describe.each(kinds)('importCsvFile on %s', (kind) => {
  const testbed = useImportTestbed(kind);

  async function run(content: string | Buffer, options: { batchRows?: number; maxStoredErrors?: number } = {}) {
    const job = await createRunningJob(testbed.database.handle);
    const filePath = await testbed.fixtures.file(`${job.uploadId}.csv`, content);
    const sink = createSink(testbed.database.handle, job, options.maxStoredErrors);
    const summary = await importCsvFile(
      { uploadId: job.uploadId, filePath, checkpoint: null, batchRows: options.batchRows },
      sink,
    );
    return {
      job,
      summary,
      rows: await readRows(testbed.database.handle, job.uploadId),
      errors: await readRowErrors(testbed.database.handle, job.uploadId),
    };
  }

  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
  ])('loads quoted fields with commas, doubled quotes and %s line breaks', async (_name, eol) => {
    const csv = ['id,text,note', '1,"a, b","say ""hi"""', `2,"two${eol}lines",x`, '3,plain,"ünïcödé ✓"', ''].join(eol);
    const { summary, rows, errors } = await run(csv);
    expect(rows).toEqual([
      { recordNumber: 1, data: { id: '1', text: 'a, b', note: 'say "hi"' } },
      { recordNumber: 2, data: { id: '2', text: `two${eol}lines`, note: 'x' } },
      { recordNumber: 3, data: { id: '3', text: 'plain', note: 'ünïcödé ✓' } },
    ]);
    expect(errors).toEqual([]);
    expect(summary).toMatchObject({
      rows: 3,
      rowsRejected: 0,
      columns: ['id', 'text', 'note'],
      bytes: Buffer.byteLength(csv),
    });
    expect(summary.sha256).toBe(sha256(csv));
  });

  it('reports ragged rows with record and line numbers while the good rows load', async () => {
    const csv = 'a,b\n1,2\n"x\ny",3,extra\n\n4\n5,6\n';
    const { summary, rows, errors } = await run(csv, { batchRows: 2 });
    expect(rows).toEqual([
      { recordNumber: 1, data: { a: '1', b: '2' } },
      { recordNumber: 4, data: { a: '5', b: '6' } },
    ]);
    expect(errors).toEqual([
      { recordNumber: 2, lineNumber: 3, column: null, message: 'expected 2 columns, found 3', raw: '"x\ny",3,extra' },
      { recordNumber: 3, lineNumber: 6, column: null, message: 'expected 2 columns, found 1', raw: '4' },
    ]);
    expect(summary).toMatchObject({ rows: 2, rowsRejected: 2 });
  });

  it('stores at most maxStoredErrors error rows but counts them all', async () => {
    const csv = `a,b\n${'1\n'.repeat(7)}2,2\n`;
    const { summary, rows, errors } = await run(csv, { batchRows: 3, maxStoredErrors: 4 });
    expect(errors.map((e) => e.recordNumber)).toEqual([1, 2, 3, 4]);
    expect(rows.map((r) => r.recordNumber)).toEqual([8]);
    expect(summary).toMatchObject({ rows: 1, rowsRejected: 7 });
  });

  it('names header columns, strips the BOM and replaces U+0000, which jsonb refuses', async () => {
    const csv = '\uFEFFid,,id, name \n1,x\u0000y,2,n\u0000\n';
    const { rows, summary } = await run(csv);
    expect(summary.columns).toEqual(['id', 'column_2', 'id_2', 'name']);
    expect(rows[0].data).toEqual({ id: '1', column_2: 'x\uFFFDy', id_2: '2', name: 'n\uFFFD' });
    expect(summary.sha256).toBe(sha256(csv));
  });

  it.each([
    ['an empty file', ''],
    ['a header-only file', 'a,b,c\n'],
  ])('imports %s as zero rows', async (_name, csv) => {
    const { summary, rows } = await run(csv);
    expect(rows).toEqual([]);
    expect(summary).toMatchObject({ rows: 0, rowsRejected: 0, bytes: csv.length, sha256: sha256(csv) });
  });

  it('stores the checkpoint and progress with each batch', async () => {
    const csv = `n,sq\n${Array.from({ length: 25 }, (_, i) => `${i},${i * i}`).join('\n')}\n`;
    const { job, summary } = await run(csv, { batchRows: 10 });
    const stored = await readJob(testbed.database.handle, job.jobId);
    const progress = stored.progress as JobProgress;
    expect(progress).toMatchObject({
      bytesDone: csv.length,
      bytesTotal: csv.length,
      rowsDone: 25,
      rowsRejected: 0,
      etaSeconds: 0,
    });
    expect(progress.rate).toBeGreaterThan(0);
    expect(stored.checkpoint).toMatchObject({
      byteOffset: csv.length,
      recordNumber: 25,
      lineNumber: 27,
      columns: ['n', 'sq'],
    });
    expect(stored.locked_until?.getTime()).toBeGreaterThan(Date.now());
    expect(summary.rows).toBe(25);
  });

  it('fails permanently when the file is gone', async () => {
    const job = await createRunningJob(testbed.database.handle);
    const sink = createSink(testbed.database.handle, job);
    const attempt = importCsvFile(
      { uploadId: job.uploadId, filePath: testbed.fixtures.path('missing.csv'), checkpoint: null },
      sink,
    );
    await expect(attempt).rejects.toThrow(ImportFileError);
    await expect(attempt).rejects.toMatchObject({
      permanent: true,
      message: 'The uploaded file is no longer in storage',
    });
  });
});
