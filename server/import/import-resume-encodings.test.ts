// Resuming at every checkpoint of files that are neither comma-separated nor
// UTF-8: checkpoints are offsets in the original bytes, not in the UTF-8 the
// parser reads, so a resumed read must land exactly on a record boundary.
import { createHash } from 'node:crypto';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import {
  availableDatabaseKinds,
  createRunningJob,
  createSink,
  readJob,
  readRowErrors,
  readRows,
  stopAfter,
  useImportTestbed,
} from '../../test/support/import-testbed.ts';
import type { ImportCheckpoint } from './import-checkpoint.ts';
import { type ImportSummary, importCsvFile } from './import-csv-file.ts';
import { LeaseLostError } from './sink/batch-sink.ts';

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
    const { options, fresh, summary } = await importFresh(encoding, bytes);
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

    await expectSameAtEveryCheckpoint(options, summary, expected);
  });

  // Multi-byte sets with no fixed width per character: offsets are found by counting line breaks.
  it.each([
    ['shift_jis', ','],
    ['gb18030', '\t'],
    ['euc-kr', ';'],
  ])('%s is detected and gives identical results when resumed at every checkpoint', async (encoding, delimiter) => {
    const bytes = iconv.encode(cjkCsv(40, delimiter, encoding), encoding);
    const { options, fresh, summary } = await importFresh(encoding, bytes);
    expect(summary).toMatchObject({
      encoding: { name: encoding, detectedBy: 'chardet' },
      dialect: { delimiter },
      rows: 40,
      rowsRejected: 0,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    expect(summary.encoding.confidence).toBeGreaterThan(0.5);
    expect(summary.warnings).toEqual([]);
    const expected = await outcomeOf(fresh.uploadId);
    const [first] = CJK_WORDS[encoding];
    expect(expected.rows[4].data).toEqual({
      [first[0]]: `${first[1]}${delimiter} 5`,
      [first[2]]: `${first[3]}\r\n${first[1]}`,
      id: '5',
    });
    await expectSameAtEveryCheckpoint(options, summary, expected);
  });

  /** Imports `bytes` in small batches, so that there are many checkpoints to resume from. */
  async function importFresh(name: string, bytes: Buffer) {
    const filePath = await testbed.fixtures.file(`${name}.csv`, bytes);
    const options = { filePath, checkpoint: null, batchRows: 3, batchBytes: 200 };
    const fresh = await createRunningJob(testbed.database.handle);
    const summary = await importCsvFile(
      { ...options, uploadId: fresh.uploadId },
      createSink(testbed.database.handle, fresh),
    );
    return { options, fresh, summary };
  }

  /** Stops a fresh import after every possible number of commits, resumes it from its checkpoint, and expects the same. */
  async function expectSameAtEveryCheckpoint(
    options: { filePath: string; checkpoint: null; batchRows: number; batchBytes: number },
    summary: ImportSummary,
    expected: Awaited<ReturnType<typeof outcomeOf>>,
  ) {
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
        { ...options, uploadId: job.uploadId, checkpoint: checkpoint as ImportCheckpoint },
        createSink(testbed.database.handle, job),
      );
      expect(resumed).toEqual({ ...summary, durationMs: resumed.durationMs });
      expect(await outcomeOf(job.uploadId)).toEqual(expected);
    }
    expect(resumes).toBeGreaterThanOrEqual(8);
  }
});

// Column names and values per encoding: [name column, a name, city column, a city].
const CJK_WORDS: Record<string, string[][]> = {
  shift_jis: [['名前', '田中太郎さん', '都市', '東京都渋谷区の本社']],
  gb18030: [['姓名', '张伟先生', '城市', '北京市朝阳区办公室']],
  'euc-kr': [['이름', '김철수님', '도시', '서울특별시 강남구 본사']],
};

// Enough text for a statistical detector, quoted delimiters and line breaks every fifth row.
function cjkCsv(records: number, delimiter: string, encoding: string): string {
  const [[nameColumn, name, cityColumn, city]] = CJK_WORDS[encoding];
  const lines = [`${nameColumn}${delimiter}${cityColumn}${delimiter}id`];
  for (let i = 1; i <= records; i++) {
    if (i % 5 === 0) lines.push(`"${name}${delimiter} ${i}"${delimiter}"${city}\r\n${name}"${delimiter}${i}`);
    else lines.push(`${name}${i}${delimiter}${city}${delimiter}${i}`);
  }
  return `${lines.join('\r\n')}\r\n`;
}
