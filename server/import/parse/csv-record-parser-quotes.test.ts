// The parser's quoting rules beyond RFC 4180: no quote character, backslash
// escapes, spaces around quoted fields, stray inner quotes, and the escaping
// hints it gives the COPY encoder for every value that holds a quote.
import { describe, expect, it } from 'vitest';
import { readCopyCsvLine } from '../../../test/support/copy-csv-reader.ts';
import { copyCsvRow } from '../sink/copy-csv.ts';
import { type CsvParserSettings, CsvRecordParser, type ParsedRecord } from './csv-record-parser.ts';

const BASE = { delimiter: ',', quote: '"', maxRecordSize: 1024 * 1024 };

function parse(input: string, settings: Partial<CsvParserSettings> = {}): ParsedRecord[] {
  const parser = new CsvRecordParser({ ...BASE, ...settings });
  return [...parser.push(Buffer.from(input)), ...parser.end()];
}

const COPY_FORMAT = { delimiter: ',', quote: '"', verbatim: false };

/** The COPY CSV line of each record, read back the way COPY reads it. */
function storedValues(records: ParsedRecord[]): unknown[] {
  return records.map((record) => readCopyCsvLine(copyCsvRow(record.fields, record.escapes, COPY_FORMAT), COPY_FORMAT));
}

describe('CsvRecordParser quoting', () => {
  it('marks an unquoted field holding a double quote, so it reaches COPY escaped', () => {
    const records = parse('name,height\nBob,5\'10"\nAl,"6\'1"""\n');
    expect(records.map((record) => record.fields)).toEqual([
      ['name', 'height'],
      ['Bob', '5\'10"'],
      ['Al', '6\'1"'],
    ]);
    expect(storedValues(records)).toEqual(records.map((record) => record.fields));
  });

  it('reads every quote as text with no quote character', () => {
    const records = parse('a\t"b\tc"\n"x\ty\n', { delimiter: '\t', quote: '' });
    expect(records.map((record) => record.fields)).toEqual([
      ['a', '"b', 'c"'],
      ['"x', 'y'],
    ]);
    expect(storedValues(records)).toEqual(records.map((record) => record.fields));
  });

  it("escapes double quotes anywhere when the quote character is '", () => {
    const records = parse('a,\'b, "c"\',d"e\n', { quote: "'" });
    expect(records[0].fields).toEqual(['a', 'b, "c"', 'd"e']);
    expect(storedValues(records)).toEqual([['a', 'b, "c"', 'd"e']]);
  });

  it('takes backslash escapes inside quoted fields, as MySQL writes them', () => {
    const records = parse('1,"say \\"hi\\"","C:\\\\dir",x\\y\n', { escape: '\\' });
    expect(records[0].fields).toEqual(['1', 'say "hi"', 'C:\\dir', 'x\\y']);
    expect(storedValues(records)).toEqual([['1', 'say "hi"', 'C:\\dir', 'x\\y']]);
  });

  it('waits for the character after a backslash that ends a chunk', () => {
    const parser = new CsvRecordParser({ ...BASE, escape: '\\' });
    expect(parser.push(Buffer.from('"a\\'))).toEqual([]);
    expect(parser.push(Buffer.from('"b",c\n')).map((record) => record.fields)).toEqual([['a"b', 'c']]);
  });

  it('reads a quoted field after spaces, and spaces after its closing quote, as one field', () => {
    const records = parse('a, "b, c" ,d\n');
    expect(records[0].fields).toEqual(['a', 'b, c', 'd']);
    expect(records[0].problem).toBeNull();
    // Spaces before text that is not a quote stay part of the value.
    expect(parse('a, b\n')[0].fields).toEqual(['a', ' b']);
  });

  it('keeps stray inner quotes as text where the end of the field is still clear', () => {
    const records = parse('1,"pedro "pdet" holanda",2\n');
    expect(records[0].fields).toEqual(['1', 'pedro "pdet" holanda', '2']);
    expect(records[0].problem).toBeNull();
    expect(storedValues(records)).toEqual([['1', 'pedro "pdet" holanda', '2']]);
  });

  it('still rejects text after a closing quote when a delimiter follows it', () => {
    const [record] = parse('1,"abc"x,"def"\n');
    expect(record.problem).toMatch(/after the closing quote of column 2/);
    expect(record.fields).toEqual(['1', 'abcx', 'def']);
  });
});
