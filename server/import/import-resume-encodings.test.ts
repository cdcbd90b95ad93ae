// Resuming at every checkpoint of files that are neither comma-separated nor
// UTF-8: checkpoints are offsets in the original bytes, not in the UTF-8 the
// parser reads, so a resumed read must land exactly on a record boundary.
import { createHash } from 'node:crypto';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import type { JobCheckpoint } from '../../db/schema.ts';
import { LeaseLostError } from './batch-sink.ts';
import { importCsvFile } from './import-csv-file.ts';
import {
  availableDatabaseKinds,
  createRunningJob,
  createSink,
  readJob,
  readRowErrors,
  readRows,
  stopAfter,
  useImportTestbed,
} from './test-support.ts';

const kinds = await availableDatabaseKinds();

// Accents (1 byte in Windows-1252, 2 in UTF-8), a character outside the BMP
// (a surrogate pair in UTF-16), quoted separators and line breaks, ragged rows.
function accentedCsv(records: number, delimiter: string, astral: boolean): string {
  const lines = ['Titre du rapport', `Prénom${delimiter}Ville${delimiter}Note`];
  for (let i = 1; i <= records; i++) {
    if (i % 9 === 0) lines.push(`Zoë ${i}${delimiter}ragged`);
    else if (i % 5 === 0) lines.push(`"Élodie${delimiter} ${i}"${delimiter}"Orléans\r\nCentre"${delimiter}${i}`);
    else lines.push(`François ${i}${delimiter}Besançon${astral ? ' 😀' : ''}${delimiter}${i}`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

describe.each(kinds)('resuming sniffed non-UTF-8 files on %s', (kind) => {
  const testbed = useImportTestbed(kind);

  const outcomeOf = async (uploadId: string) => ({
    rows: await readRows(testbed.database.handle, uploadId),
    errors: await readRowErrors(testbed.database.handle, uploadId),
  });

  it.each([
    ['windows-1252', ';', iconv.encode(accentedCsv(30, ';', false), 'win1252')],
    [
      'utf-16le',
      '\t',
      Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(accentedCsv(30, '\t', true), 'utf16le')]),
    ],
  ])('%s gives identical results when resumed at every checkpoint', async (encoding, delimiter, bytes) => {
    const filePath = await testbed.fixtures.file(`${encoding}.csv`, bytes);
    const options = { filePath, checkpoint: null, batchRows: 3, batchBytes: 200 };
    const fresh = await createRunningJob(testbed.database.handle);
    const summary = await importCsvFile(
      { ...options, uploadId: fresh.uploadId },
      createSink(testbed.database.handle, fresh),
    );
    expect(summary).toMatchObject({
      encoding: { name: encoding },
      dialect: { delimiter },
      header: { titleLinesSkipped: ['Titre du rapport'] },
      columns: ['Prénom', 'Ville', 'Note'],
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    const expected = await outcomeOf(fresh.uploadId);
    expect(expected.rows[4].data).toEqual({ Prénom: `Élodie${delimiter} 5`, Ville: 'Orléans\r\nCentre', Note: '5' });
    expect(expected.errors[0]).toMatchObject({ recordNumber: 9, lineNumber: 12, raw: `Zoë 9${delimiter}ragged` });

    let resumes = 0;
    for (let commits = 1; ; commits++, resumes++) {
      const job = await createRunningJob(testbed.database.handle);
      const first = await importCsvFile(
        { ...options, uploadId: job.uploadId },
        stopAfter(createSink(testbed.database.handle, job), commits),
      ).catch((error: unknown) => error);
      if (!(first instanceof LeaseLostError)) break;
      const { checkpoint } = await readJob(testbed.database.handle, job.jobId);
      const resumed = await importCsvFile(
        { ...options, uploadId: job.uploadId, checkpoint: checkpoint as JobCheckpoint },
        createSink(testbed.database.handle, job),
      );
      expect(resumed).toEqual({ ...summary, durationMs: resumed.durationMs });
      expect(await outcomeOf(job.uploadId)).toEqual(expected);
    }
    expect(resumes).toBeGreaterThanOrEqual(8);
  });
});
