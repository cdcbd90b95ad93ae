import { open } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
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
import type { ImportSettings } from './import-settings.ts';

const kinds = await availableDatabaseKinds();
const MiB = 1024 * 1024;

/** Header, records on lines 2–9, an opening quote that never closes on line 10, then `mib` MiB of rows. */
async function writeUnterminatedAtLine10(path: string, mib: number): Promise<void> {
  const file = await open(path, 'w');
  try {
    const head = ['id,name', ...Array.from({ length: 8 }, (_, i) => `${i + 1},row ${i + 1}`), '9,"never closed'];
    await file.write(`${head.join('\n')}\n`);
    const block = Buffer.from('10,filler row\n'.repeat(MiB / 16));
    for (let i = 0; i < mib; i++) await file.write(block);
  } finally {
    await file.close();
  }
}

describe.each(kinds)('malformed CSV on %s', (kind) => {
  const testbed = useImportTestbed(kind);

  async function importFile(filePath: string, batchRows = 10_000, settings: ImportSettings = {}) {
    const job = await createRunningJob(testbed.database.handle);
    const sink = createSink(testbed.database.handle, job);
    const options = { uploadId: job.uploadId, filePath, checkpoint: null, batchRows, settings };
    const error = await importCsvFile(options, sink).then(
      () => expect.unreachable('the import should fail'),
      (reason: unknown) => reason,
    );
    return { job, error };
  }

  it('fails fast on an unterminated quote at line 10 of a 20 MiB file; committed batches stay', async () => {
    const filePath = testbed.fixtures.path('unterminated-20mib.csv');
    await writeUnterminatedAtLine10(filePath, 20);
    const started = performance.now();
    // Declared: quotes are quotes (sniffed, the odd quote would be read as text; see the next test).
    const { job, error } = await importFile(filePath, 3, { quote: '"' });
    // Stopped by max_record_size after about 1 MiB, not at the end of the file.
    expect(error).toBeInstanceOf(ImportFileError);
    expect(error).toMatchObject({ permanent: true, code: 'CSV_MAX_RECORD_SIZE' });
    expect((error as Error).message).toMatch(/starting at line 10\b.*quote=none/);
    expect(performance.now() - started).toBeLessThan(10_000);
    const rows = await readRows(testbed.database.handle, job.uploadId);
    expect(rows.map((row) => row.recordNumber)).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await readJob(testbed.database.handle, job.jobId)).checkpoint).toMatchObject({
      recordNumber: 6,
      lineNumber: 8,
    });
  });

  it('reads a quote that never closes as text when nothing was declared, and says so', async () => {
    const filePath = testbed.fixtures.path('unterminated-small.csv');
    await writeUnterminatedAtLine10(filePath, 0.01);
    const job = await createRunningJob(testbed.database.handle);
    const summary = await importCsvFile(
      { uploadId: job.uploadId, filePath, checkpoint: null },
      createSink(testbed.database.handle, job),
    );
    expect(summary.dialect).toMatchObject({ quote: 'none' });
    expect(summary.rowsRejected).toBe(0);
    expect(summary.warnings.map((warning) => warning.code)).toContain('QUOTES_READ_AS_TEXT');
    expect(summary.warnings.find((warning) => warning.code === 'QUOTES_READ_AS_TEXT')?.message).toMatch(/line 10/);
    const rows = await readRows(testbed.database.handle, job.uploadId);
    expect(rows[8]?.data).toEqual({ id: '9', name: '"never closed' });
  });

  it('names the starting line of a quote left open at the end of the file', async () => {
    const filePath = await testbed.fixtures.file(
      'open-quote.csv',
      'a,b\r\n1,"two\r\nlines"\r\n\r\n2,"still\r\nopen\r\n',
    );
    const { error } = await importFile(filePath);
    expect(error).toMatchObject({
      code: 'CSV_QUOTE_NOT_CLOSED',
      message:
        'Unterminated quoted field starting at line 5. If quotes in this file are plain text, import it again with quote=none',
    });
  });

  it('rejects a record with a stray character after a closing quote as a row error and loads the rest', async () => {
    const filePath = await testbed.fixtures.file('bad-closing.csv', 'a,b\n1,2\n3,"x\ny"z\n4,5\n');
    const job = await createRunningJob(testbed.database.handle);
    const summary = await importCsvFile(
      { uploadId: job.uploadId, filePath, checkpoint: null },
      createSink(testbed.database.handle, job),
    );
    expect(summary).toMatchObject({ rows: 2, rowsRejected: 1 });
    const errors = await readRowErrors(testbed.database.handle, job.uploadId);
    expect(errors).toEqual([
      {
        recordNumber: 2,
        lineNumber: 3,
        column: null,
        message: 'unexpected character after the closing quote of column 2',
        raw: '3,"x\ny"z',
      },
    ]);
    const rows = await readRows(testbed.database.handle, job.uploadId);
    expect(rows.map((row) => row.data)).toEqual([
      { a: '1', b: '2' },
      { a: '4', b: '5' },
    ]);
  });

  it('rejects a record over the size limit as a row error, keeps its start, and loads the rows after it', async () => {
    const long = `${'y'.repeat(3 * MiB)},"z"`;
    const filePath = await testbed.fixtures.file('long-record.csv', `a,b\n1,2\n${long}\n"3\nthree",4\n`);
    const job = await createRunningJob(testbed.database.handle);
    const summary = await importCsvFile(
      { uploadId: job.uploadId, filePath, checkpoint: null },
      createSink(testbed.database.handle, job),
    );
    expect(summary).toMatchObject({ rows: 2, rowsRejected: 1 });
    const [error] = await readRowErrors(testbed.database.handle, job.uploadId);
    expect(error).toMatchObject({ recordNumber: 2, lineNumber: 3, column: null, raw: 'y'.repeat(1024) });
    expect(error?.message).toMatch(/longer than 1048576 bytes/);
    const rows = await readRows(testbed.database.handle, job.uploadId);
    expect(rows).toEqual([
      { recordNumber: 1, data: { a: '1', b: '2' } },
      { recordNumber: 3, data: { a: '3\nthree', b: '4' } },
    ]);
    expect((await readJob(testbed.database.handle, job.jobId)).checkpoint).toMatchObject({ lineNumber: 6 });
  });
});
