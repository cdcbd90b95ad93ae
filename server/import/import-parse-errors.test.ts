import { open } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ImportFileError, importCsvFile } from './import-csv-file.ts';
import {
  availableDatabaseKinds,
  createRunningJob,
  createSink,
  readJob,
  readRows,
  useImportTestbed,
} from './test-support.ts';

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

describe.each(kinds)('fatal parse errors on %s', (kind) => {
  const testbed = useImportTestbed(kind);

  async function importFile(filePath: string, batchRows = 10_000) {
    const job = await createRunningJob(testbed.database.handle);
    const sink = createSink(testbed.database.handle, job);
    const error = await importCsvFile({ uploadId: job.uploadId, filePath, checkpoint: null, batchRows }, sink).then(
      () => expect.unreachable('the import should fail'),
      (reason: unknown) => reason,
    );
    return { job, error };
  }

  it('fails fast on an unterminated quote at line 10 of a 20 MiB file; committed batches stay', async () => {
    const filePath = testbed.fixtures.path('unterminated-20mib.csv');
    await writeUnterminatedAtLine10(filePath, 20);
    const started = performance.now();
    const { job, error } = await importFile(filePath, 3);
    // Stopped by max_record_size after about 1 MiB, not at the end of the file.
    expect(error).toBeInstanceOf(ImportFileError);
    expect(error).toMatchObject({ permanent: true, code: 'CSV_MAX_RECORD_SIZE' });
    expect((error as Error).message).toMatch(/starting at line 10\b/);
    expect(performance.now() - started).toBeLessThan(10_000);
    const rows = await readRows(testbed.database.handle, job.uploadId);
    expect(rows.map((row) => row.recordNumber)).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await readJob(testbed.database.handle, job.jobId)).checkpoint).toMatchObject({
      recordNumber: 6,
      lineNumber: 8,
    });
  });

  it('names the starting line of a quote left open at the end of the file', async () => {
    const filePath = await testbed.fixtures.file(
      'open-quote.csv',
      'a,b\r\n1,"two\r\nlines"\r\n\r\n2,"still\r\nopen\r\n',
    );
    const { error } = await importFile(filePath);
    expect(error).toMatchObject({
      code: 'CSV_QUOTE_NOT_CLOSED',
      message: 'Unterminated quoted field starting at line 5',
    });
  });

  it('names the starting line of a record with a stray character after a closing quote', async () => {
    const filePath = await testbed.fixtures.file('bad-closing.csv', 'a,b\n1,2\n3,"x\ny"z\n');
    const { error } = await importFile(filePath);
    expect(error).toBeInstanceOf(ImportFileError);
    expect(error).toMatchObject({ code: 'CSV_INVALID_CLOSING_QUOTE' });
    expect((error as Error).message).toMatch(/starting at line 3$/);
  });
});
