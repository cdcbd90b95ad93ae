// Files that went wrong when real CSV from other projects was imported as a new
// user would: each fixture (test/fixtures/csv/) was written for one defect and
// is imported end to end into both databases with nothing declared, unless
// the test is about declaring.
import { describe, expect, it } from 'vitest';
import { availableDatabaseKinds, importWithMetadata, useImportTestbed } from '../../test/support/import-testbed.ts';
import { importSettingsFromMetadata } from './import-settings.ts';

const kinds = await availableDatabaseKinds();
const fixture = (name: string) => new URL(`../../test/fixtures/csv/${name}`, import.meta.url).pathname;

describe.each(kinds)('importing messy real-world files on %s', (kind) => {
  const testbed = useImportTestbed(kind);

  const run = (filePath: string, metadata: Record<string, string> = {}) =>
    importWithMetadata(testbed.database, filePath, metadata);

  it('stores a double quote inside an unquoted field as text', async () => {
    const { outcome, rows } = await run(fixture('quote-in-unquoted-field.csv'));
    expect(outcome).not.toBeInstanceOf(Error);
    expect(rows).toEqual([
      { name: 'Bob', height: '5\'10"', note: 'tall' },
      { name: 'Ann', height: '5\'4"', note: 'short' },
      { name: 'Cy', height: "6'", note: 'said "hi"' },
    ]);
  });

  it('stores such a cell at row 15,000 of a 20,000-row file, with every other row', async () => {
    const lines = ['id,height'];
    for (let n = 1; n <= 20_000; n++) lines.push(n === 15_000 ? `${n},5'10"` : `${n},${n % 7}'${n % 12}`);
    const { summary, rows } = await run(await testbed.fixtures.file('late-quote.csv', `${lines.join('\n')}\n`));
    expect(summary).toMatchObject({ rows: 20_000, rowsRejected: 0, warnings: [] });
    expect(rows[14_999]).toEqual({ id: '15000', height: '5\'10"' });
  });

  it('reads a wide tab-separated file without a header whose first line opens a quote it never closes', async () => {
    const { summary, rows } = await run(fixture('wide-tsv-lone-quote.tsv'));
    expect(summary).toMatchObject({
      rows: 60,
      rowsRejected: 0,
      dialect: { delimiter: '\t', quote: 'none' },
      header: { present: false },
    });
    expect(summary.columns).toHaveLength(105);
    expect(rows[0].column_8).toBe('"unbalanced start');
    expect(rows[33].column_13).toBe('ends"');
    expect(summary.warnings.map((warning) => warning.code)).toEqual(['QUOTES_READ_AS_TEXT']);
  });

  it('imports that file as declared too: tab, no header, quotes as text', async () => {
    const declared = await run(fixture('wide-tsv-lone-quote.tsv'), {
      delimiter: 'tab',
      header: 'false',
      quote: 'none',
    });
    expect(declared.summary).toMatchObject({ rows: 60, rowsRejected: 0, warnings: [] });
    expect(declared.summary.dialect.declared).toEqual(['delimiter', 'quote', 'header']);
  });

  it('warns when most records are rejected or everything is one column', async () => {
    // Declared quotes: the lone quote on line 1 swallows the lines up to the next one.
    const { summary } = await run(fixture('wide-tsv-lone-quote.tsv'), {
      delimiter: 'tab',
      header: 'false',
      quote: '"',
    });
    expect(summary.rowsRejected).toBeGreaterThan(summary.rows);
    expect(summary.warnings.map((warning) => warning.code)).toEqual(['MOST_ROWS_REJECTED']);
    const single = await run(await testbed.fixtures.file('one-column.csv', 'a b c\n1 2 3\n4 5 6\n'));
    expect(single.summary.warnings.map((warning) => warning.code)).toEqual(['ONE_COLUMN']);
  });

  it('reads backslash-escaped quotes (MySQL exports), sniffed and declared', async () => {
    const expected = [
      { id: '1', quote: 'she said "no, never"', path: 'C:\\data' },
      { id: '2', quote: 'a "b", c', path: 'plain' },
      { id: '3', quote: '', path: 'x' },
    ];
    const sniffed = await run(fixture('backslash-escaped.csv'));
    expect(sniffed.summary.dialect).toMatchObject({ quote: '"', escape: 'backslash' });
    expect(sniffed.rows).toEqual(expected);
    const declared = await run(fixture('backslash-escaped.csv'), { escape: '\\' });
    expect(declared.rows).toEqual(expected);
  });

  it('reads a quoted field with stray inner quotes the way a person would', async () => {
    const { summary, rows } = await run(fixture('stray-inner-quotes.csv'));
    expect(summary.rowsRejected).toBe(0);
    expect(rows).toEqual([
      { id: '1', name: 'pedro "pdet" holanda', city: 'Lisboa' },
      { id: '2', name: 'ana', city: 'Porto' },
    ]);
  });

  it.each([
    ['shift-jis.csv', 'shift_jis', { 名前: '田中太郎0', 年齢: '20', 都市: '東京都渋谷区' }],
    ['koi8-r.csv', 'koi8-r', { Имя: 'Иван Петров 0', Возраст: '20', Город: 'Москва, улица Ленина' }],
  ])('detects %s as %s with its confidence and stores the text unmangled', async (file, encoding, first) => {
    const { summary, rows } = await run(fixture(file));
    expect(summary.encoding).toMatchObject({ name: encoding, detectedBy: 'chardet' });
    expect(summary.encoding.confidence).toBeGreaterThan(0.35);
    expect(rows[0]).toMatchObject(first);
    expect(summary.warnings).toEqual([]);
  });

  it('takes any encoding iconv-lite knows when declared, and refuses an unknown one by name', async () => {
    const { summary, rows } = await run(fixture('shift-jis.csv'), { encoding: 'Shift-JIS' });
    expect(summary.encoding).toMatchObject({ name: 'shift_jis', detectedBy: 'metadata', confidence: 1 });
    expect(Object.keys(rows[0])).toEqual(['名前', '年齢', '都市', 'メモ']);
    expect(() => importSettingsFromMetadata({ encoding: 'klingon-8' })).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/"klingon-8" is not an encoding/) }),
    );
  });

  it('says so when the encoding guess is unsure', async () => {
    const bytes = Buffer.from('name,city\nJos\xe9,Z\xfcrich\n', 'latin1');
    const { summary } = await run(await testbed.fixtures.file('few-accents.csv', bytes));
    expect(summary.encoding.name).toBe('windows-1252');
    expect(summary.warnings.map((warning) => warning.code)).toEqual(['ENCODING_UNSURE']);
  });

  it('skips note lines above the header, even one holding a delimiter', async () => {
    const { summary, rows } = await run(fixture('note-lines-above-header.csv'));
    expect(summary.header).toMatchObject({
      present: true,
      names: ['id', 'name', 'city', 'qty'],
      titleLinesSkipped: ['Exported from Shop, version 3', '# generated 2024-01-01'],
    });
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual({ id: '1', name: 'a', city: 'Oslo', qty: '3' });
  });

  it('takes a header row of blank names as a header, not as data', async () => {
    const { summary, rows } = await run(fixture('blank-header-names.csv'));
    expect(summary.header).toMatchObject({ present: true, names: ['column_1', 'column_2', 'column_3'] });
    expect(rows).toEqual([
      { column_1: '1', column_2: '2', column_3: '3' },
      { column_1: '4', column_2: '5', column_3: '6' },
    ]);
  });

  it('drops the empty name a trailing delimiter adds to the header, and the empty field it adds to rows', async () => {
    const { summary, rows } = await run(fixture('header-trailing-delimiter.csv'));
    expect(summary).toMatchObject({ rows: 2, rowsRejected: 0, columns: ['id', 'name', 'qty'] });
    expect(rows[1]).toEqual({ id: '2', name: 'b', qty: '4' });
    const trailingRows = await run(await testbed.fixtures.file('rows-trailing.csv', 'id,name\n1,a,\n2,b,\n'));
    expect(trailingRows.summary).toMatchObject({ rows: 2, rowsRejected: 0, columns: ['id', 'name'] });
  });

  it('reads a quoted field after a space as one field', async () => {
    const { summary, rows } = await run(fixture('space-before-quote.csv'));
    expect(summary).toMatchObject({ rowsRejected: 0, columns: ['city', 'note, long', 'qty'] });
    expect(rows).toEqual([
      { city: 'Oslo', 'note, long': 'cold, dark', qty: ' 3' },
      { city: 'Rome', 'note, long': 'warm, bright', qty: ' 4' },
    ]);
  });

  it('suggests a typed mapping that imports the same file typed when passed back', async () => {
    const first = await run(fixture('semicolon-decimal-comma.csv'));
    expect(first.summary.suggestedMapping.columns.map((column) => [column.name, column.type])).toEqual([
      ['Name', 'text'],
      ['Amount', 'decimal'],
      ['City', 'text'],
    ]);
    const typed = await run(fixture('semicolon-decimal-comma.csv'), {
      mapping: JSON.stringify(first.summary.suggestedMapping),
    });
    expect(typed.summary).toMatchObject({ rowsRejected: 0, columnTypes: { Amount: 'decimal' } });
    expect(typed.rows.map((row) => row.Amount)).toEqual(['12.50', '1234.05', '-0.75']);
  });
});
