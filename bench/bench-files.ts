// Generated input files for the benchmarks, written fast and deleted after:
// upload payloads (a CSV block repeated) and the 10-column CSV the import
// benchmark loads, every field quoted, some with commas and doubled quotes;
// optionally with a bad value in every hundredth row (the typed-mapping case).
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { readFile, rm, statfs } from 'node:fs/promises';
import { writeCsvFixture } from '../test/support/csv-fixtures.ts';

export const IMPORT_COLUMNS = [
  'id',
  'first_name',
  'last_name',
  'email',
  'city',
  'quote',
  'amount',
  'day',
  'status',
  'note',
];

async function writeBlocks(path: string, bytes: number, block: (index: number) => string | Buffer): Promise<number> {
  const out = createWriteStream(path);
  let written = 0;
  for (let index = 0; written < bytes; index++) {
    const piece = block(index);
    written += Buffer.byteLength(piece);
    if (!out.write(piece)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return written;
}

/** About `bytes` of CSV (a generated MiB repeated): upload payload whose content does not matter. */
export async function writeUploadFile(path: string, bytes: number): Promise<void> {
  await writeCsvFixture(`${path}.block`, 1024 * 1024);
  const block = await readFile(`${path}.block`);
  await rm(`${path}.block`);
  await writeBlocks(path, bytes, () => block);
}

/** The id of the rows of a "dirty" file that no integer parser takes: what a spreadsheet export leaves in a gap. */
export const BAD_ID = 'n/a';

function importRow(n: number, bad: boolean): string {
  const month = String((n % 12) + 1).padStart(2, '0');
  const day = String((n % 28) + 1).padStart(2, '0');
  return `"${bad ? BAD_ID : n}","First${n % 977}","Last ${n % 1311}","user${n}@example.com","City, ${n % 113}","said ""hello"" ${n % 7}","${(n * 1.37).toFixed(2)}","2024-${month}-${day}","active","note ${n}: lorem ipsum dolor sit amet"\n`;
}

export interface ImportCsvFile {
  /** Data records (the header not counted). */
  rows: number;
  /** Records whose id is BAD_ID. */
  badRows: number;
}

/**
 * Writes at least `bytes` of the 10-column CSV (header + rows). With `badEvery`
 * set, every `badEvery`-th row's id is BAD_ID (100: 1% of the rows).
 */
export async function writeImportCsv(path: string, bytes: number, badEvery = 0): Promise<ImportCsvFile> {
  let rows = 0;
  let badRows = 0;
  const rowsPerBlock = 4096;
  await writeBlocks(path, bytes, (index) => {
    let text = index === 0 ? `${IMPORT_COLUMNS.join(',')}\n` : '';
    for (let i = 0; i < rowsPerBlock; i++) {
      rows++;
      const bad = badEvery > 0 && rows % badEvery === 0;
      if (bad) badRows++;
      text += importRow(rows, bad);
    }
    return text;
  });
  return { rows, badRows };
}

/** Free bytes on the file system holding `path`. */
export async function freeBytes(path: string): Promise<number> {
  const stats = await statfs(path);
  return stats.bavail * stats.bsize;
}
