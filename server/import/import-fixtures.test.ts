// One fixture per kind of real-world file (test/fixtures/csv/), imported end
// to end into both databases with nothing declared, or with declared settings.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { availableDatabaseKinds, importWithMetadata, useImportTestbed } from '../../test/support/import-testbed.ts';
import { ImportFileError } from './import-csv-file.ts';

const kinds = await availableDatabaseKinds();
const fixture = (name: string) => new URL(`../../test/fixtures/csv/${name}`, import.meta.url).pathname;

const MAPPING = JSON.stringify({
  columns: [
    { source: 'ID', name: 'id', type: 'integer', required: true },
    { source: 'Name', name: 'name', required: true },
    { source: 'Zip', name: 'zip', type: 'text' },
    { source: 4, name: 'amount', type: 'decimal', decimalSeparator: ',' },
    { source: 'active', name: 'active', type: 'boolean' },
    { source: 'Born', name: 'born', type: 'date', format: 'DD/MM/YYYY' },
    { source: 'Seen', name: 'seen', type: 'timestamp' },
    { source: 'Mail', name: 'email', type: 'email' },
  ],
});

describe.each(kinds)('importing real-world files on %s', (kind) => {
  const testbed = useImportTestbed(kind);

  const run = (filePath: string, metadata: Record<string, string> = {}) =>
    importWithMetadata(testbed.database, filePath, metadata);

  it('sniffs semicolons and keeps decimal commas as text', async () => {
    const { summary, rows } = await run(fixture('semicolon-decimal-comma.csv'));
    expect(summary.dialect).toMatchObject({ delimiter: ';', quote: '"', lineEnding: '\n', declared: [] });
    expect(rows).toEqual([
      { Name: 'Anna', Amount: '12,50', City: 'Köln' },
      { Name: 'Bernd', Amount: '1234,05', City: 'Berlin; Mitte' },
      { Name: 'Carla', Amount: '-0,75', City: 'Wien' },
    ]);
  });

  it('sniffs tabs and pipes, keeping leading zeros', async () => {
    const tab = await run(fixture('tab.tsv'));
    expect(tab.summary.dialect.delimiter).toBe('\t');
    expect(tab.rows[1]).toEqual({ id: '2', name: 'Grace', note: 'quoted\ttab' });
    const pipe = await run(fixture('pipe.csv'));
    expect(pipe.summary.dialect.delimiter).toBe('|');
    expect(pipe.rows).toEqual([
      { sku: '00123', label: 'Chair, oak', price: '49.90' },
      { sku: '00456', label: 'Table | large', price: '199.00' },
    ]);
  });

  it('detects Windows-1252 from invalid UTF-8 and transcodes accented names', async () => {
    const { summary, rows } = await run(fixture('windows-1252.csv'));
    expect(summary.encoding).toMatchObject({ name: 'windows-1252', bom: false, detectedBy: 'chardet' });
    expect(summary.columns).toEqual(['Prénom', 'Nom', 'Société', 'Montant']);
    expect(rows[0]).toEqual({ Prénom: 'José', Nom: 'Müller', Société: 'Crème & Cie', Montant: '10 €' });
    expect(rows[1].Montant).toBe('“quoted” 5');
  });

  it('reads UTF-16 LE with a BOM (Excel "Unicode text": tabs, CRLF)', async () => {
    const { summary, rows } = await run(fixture('utf16le-bom.csv'));
    expect(summary.encoding).toEqual({ name: 'utf-16le', bom: true, detectedBy: 'bom', confidence: 1 });
    expect(summary.dialect).toMatchObject({ delimiter: '\t', lineEnding: '\r\n' });
    expect(rows).toEqual([
      { Name: 'Zoë', City: 'München', Amount: '3' },
      { Name: '李', City: '北京', Amount: '4' },
    ]);
  });

  it('strips a UTF-8 BOM from the first header name', async () => {
    const { summary, rows } = await run(fixture('utf8-bom.csv'));
    expect(summary.encoding).toEqual({ name: 'utf-8', bom: true, detectedBy: 'bom', confidence: 1 });
    expect(rows).toEqual([
      { id: '1', name: 'Ærøskøbing' },
      { id: '2', name: 'Łódź' },
    ]);
  });

  it('skips a title line above the header and reports it', async () => {
    const { summary, rows } = await run(fixture('title-line.csv'));
    expect(summary.header).toMatchObject({ present: true, titleLinesSkipped: ['Quarterly sales report,,'] });
    expect(summary.columns).toEqual(['region', 'quarter', 'revenue']);
    expect(rows).toHaveLength(2);
  });

  it('renames duplicate and empty header names and reports them', async () => {
    const { summary, rows } = await run(fixture('duplicate-empty-headers.csv'));
    expect(summary.header.renamed).toEqual([
      { position: 3, from: '', to: 'column_3' },
      { position: 4, from: 'name', to: 'name_2' },
      { position: 5, from: '', to: 'column_5' },
    ]);
    expect(rows).toEqual([{ id: '1', name: 'Ada', column_3: 'x', name_2: 'Lovelace', column_5: 'y' }]);
  });

  it('keeps quoted line breaks and escaped quotes; CRLF files too', async () => {
    const quoted = await run(fixture('quoted-newlines.csv'));
    expect(quoted.rows.map((row) => row.text)).toEqual([
      'first line\nsecond line',
      'she said "hi"',
      'multi\n\nblank "x", y',
    ]);
    const crlf = await run(fixture('crlf.csv'));
    expect(crlf.summary.dialect.lineEnding).toBe('\r\n');
    expect(crlf.rows).toEqual([
      { a: '1', b: '2' },
      { a: '3', b: 'x\r\ny' },
      { a: '5', b: '6' },
    ]);
  });

  it('reports ragged rows with line and record while the others load', async () => {
    const { summary, rows, errors } = await run(fixture('ragged.csv'));
    expect(rows).toEqual([
      { a: '1', b: '2', c: '3' },
      { a: '10', b: '11', c: '12' },
    ]);
    expect(errors).toEqual([
      { recordNumber: 2, lineNumber: 3, column: null, message: 'expected 3 columns, found 2', raw: '4,5' },
      { recordNumber: 3, lineNumber: 4, column: null, message: 'expected 3 columns, found 4', raw: '6,7,8,9' },
    ]);
    expect(summary).toMatchObject({ rows: 2, rowsRejected: 2 });
  });

  it('sees that a first row of numbers and dates is data, not a header', async () => {
    const { summary, rows } = await run(fixture('no-header.csv'));
    expect(summary.header).toMatchObject({ present: false, names: ['column_1', 'column_2', 'column_3'] });
    expect(rows[0]).toEqual({ column_1: '1', column_2: '2024-01-05', column_3: '10.5' });
    const declared = await run(fixture('no-header.csv'), { header: 'true', delimiter: ';' });
    expect(declared.summary.dialect).toMatchObject({ delimiter: ';', declared: ['delimiter', 'header'] });
    expect(declared.rows).toHaveLength(2);
  });

  it('applies a mapping with every type: typed values, dropped columns, per-column errors', async () => {
    const { summary, rows, errors } = await run(fixture('mapping-types.csv'), { mapping: MAPPING });
    expect(summary.columns).toEqual(['id', 'name', 'zip', 'amount', 'active', 'born', 'seen', 'email']);
    expect(summary.columnTypes).toMatchObject({ id: 'integer', zip: 'text', amount: 'decimal', seen: 'timestamp' });
    expect(rows).toEqual([
      {
        id: 1,
        name: 'Ada',
        zip: '01234',
        amount: '1234.50',
        active: true,
        born: '1990-12-24',
        seen: '2024-03-01T08:00:00Z',
        email: 'ada@example.com',
      },
      {
        id: 2,
        name: 'Bob',
        zip: '00077',
        amount: '7.5',
        active: false,
        born: '2001-02-01',
        seen: '2024-03-02T08:30:00Z',
        email: 'bob@example.org',
      },
    ]);
    expect(
      errors.map(({ recordNumber, lineNumber, column, message }) => ({ recordNumber, lineNumber, column, message })),
    ).toEqual([
      { recordNumber: 3, lineNumber: 4, column: 'ID', message: '"x3" is not an integer' },
      { recordNumber: 4, lineNumber: 5, column: 'Name', message: 'missing required value for "name"' },
      {
        recordNumber: 5,
        lineNumber: 6,
        column: 'Amount',
        message: '"abc" is not a decimal number (decimal separator ",")',
      },
    ]);
    expect(errors[0].raw).toBe('x3;Cy;1;1;maybe;31/02/2001;yesterday;not-an-email');
  });

  it('fails at once, writing nothing, when the mapping names a column the file lacks', async () => {
    const mapping = JSON.stringify([{ source: 'Name' }, { source: 'Nope', type: 'integer' }]);
    const { outcome, rows } = await run(fixture('mapping-types.csv'), { mapping });
    expect(outcome).toBeInstanceOf(ImportFileError);
    expect(outcome).toMatchObject({ permanent: true, code: 'INVALID_MAPPING' });
    expect((outcome as Error).message).toMatch(/no column "Nope" \(its columns: "ID", "Name"/);
    expect(rows).toEqual([]);
  });

  it('fails when maxErrors is exceeded, keeping the errors for the report', async () => {
    const { outcome, errors } = await run(fixture('ragged.csv'), { maxErrors: '1' });
    expect(outcome).toMatchObject({ code: 'TOO_MANY_ROW_ERRORS', message: expect.stringMatching(/More than 1 rows/) });
    expect(errors).toHaveLength(2);
    const ratio = await run(fixture('ragged.csv'), { maxErrorRatio: '0.6' });
    expect(ratio.outcome).toMatchObject({ rows: 2, rowsRejected: 2 });
  });

  it('fails by default when more than half of the first 1000 rows are rejected', async () => {
    const csv = `a,b\n${'1,2\n'.repeat(400)}${'only-one\n'.repeat(501)}`;
    const { outcome, rows, errors } = await run(await testbed.fixtures.file('mostly-bad.csv', csv));
    expect(outcome).toMatchObject({ code: 'TOO_MANY_ROW_ERRORS' });
    expect(rows).toHaveLength(400);
    expect(errors).toHaveLength(501);
  });

  it.each([
    ['an xlsx workbook', Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(100, 7)]), /ZIP archive/],
    ['binary garbage', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)), /binary data/],
  ])('refuses %s before parsing', async (name, content, message) => {
    const { outcome, rows } = await run(await testbed.fixtures.file(`${name}.csv`, content));
    expect(outcome).toMatchObject({ permanent: true, code: 'BINARY_FILE', message: expect.stringMatching(message) });
    expect(rows).toEqual([]);
  });

  it('honours a declared encoding', async () => {
    const bytes = await readFile(fixture('windows-1252.csv'));
    const { summary, rows } = await run(await testbed.fixtures.file('latin.csv', bytes), { encoding: 'latin1' });
    expect(summary.encoding).toMatchObject({ name: 'iso-8859-1', detectedBy: 'metadata' });
    expect(rows[0].Prénom).toBe('José');
  });
});
