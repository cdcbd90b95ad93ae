import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvRecordParser, CsvSyntaxError, type ParsedRecord } from './csv-record-parser.ts';

const SETTINGS = { delimiter: ',', quote: '"', maxRecordSize: 1024 * 1024 };

/** Parses `input` fed in pieces cut at `cuts` (byte offsets). */
function parse(input: string | Buffer, cuts: number[] = [], settings = SETTINGS): ParsedRecord[] {
  const bytes = typeof input === 'string' ? Buffer.from(input) : input;
  const parser = new CsvRecordParser(settings);
  const records: ParsedRecord[] = [];
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    records.push(...parser.push(bytes.subarray(from, cut)));
    from = cut;
  }
  records.push(...parser.push(bytes.subarray(from)));
  records.push(...parser.end());
  return records;
}

function fieldsOf(records: ParsedRecord[]): string[][] {
  return records.map((record) => record.fields);
}

describe('CsvRecordParser', () => {
  it('splits plain and quoted fields, doubled quotes and line breaks inside quotes', () => {
    const records = parse('a,b,c\n1,"x, ""y""",\n"two\r\nlines",2,3\r\n');
    expect(fieldsOf(records)).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, "y"', ''],
      ['two\r\nlines', '2', '3'],
    ]);
    expect(records.map((record) => [record.line, record.nextLine, record.end])).toEqual([
      [1, 2, 6],
      [2, 3, 20],
      [3, 5, 38],
    ]);
  });

  it('skips blank lines but counts them, and reads a last record without a line break', () => {
    const records = parse('a\n\n\r\n\rb\n\nc');
    expect(fieldsOf(records)).toEqual([['a'], ['b'], ['c']]);
    expect(records.map((record) => record.line)).toEqual([1, 5, 7]);
    expect(records.at(-1)?.end).toBe(10);
  });

  it('takes lone CR line endings', () => {
    expect(fieldsOf(parse('a,b\r1,2\r'))).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('keeps a CRLF together when a chunk ends between CR and LF', () => {
    const records = parse('a\r\nb\r\n', [2, 5]);
    expect(fieldsOf(records)).toEqual([['a'], ['b']]);
    expect(records.map((record) => record.line)).toEqual([1, 2]);
  });

  it('decodes UTF-8 split across chunks and counts offsets in bytes', () => {
    const input = 'name\nZoë,😀\n"É ""q"""\n';
    const bytes = Buffer.from(input);
    for (let cut = 1; cut < bytes.length; cut++) {
      const records = parse(bytes, [cut]);
      expect(fieldsOf(records)).toEqual([['name'], ['Zoë', '😀'], ['É "q"']]);
      expect(records.map((record) => record.end)).toEqual([5, 5 + Buffer.byteLength('Zoë,😀\n'), bytes.length]);
    }
  });

  it('treats a quote inside an unquoted field as text', () => {
    expect(fieldsOf(parse('5\'10",x"y\n'))).toEqual([['5\'10"', 'x"y']]);
  });

  it('rejects a record with a stray character after a closing quote and reads on', () => {
    const records = parse('a,b\n"x"y,2\n3,4\n');
    expect(records[1]?.problem).toMatch(/after the closing quote of column 1/);
    expect(records[1]?.raw).toBe('"x"y,2');
    expect(records[2]?.fields).toEqual(['3', '4']);
    expect(records[2]?.problem).toBeNull();
  });

  it('steps over an unquoted record longer than the limit, keeping its start and the line count', () => {
    const settings = { ...SETTINGS, maxRecordSize: 100 };
    const long = `${'y'.repeat(5000)},"q\nq"`;
    const input = `a,b\n${long}\n"after\nlong",2\n`;
    for (const cuts of [[], [10, 60, 3000], [4, 5, 6, 7, 4008, 4009]]) {
      const records = parse(input, cuts, settings);
      expect(records).toHaveLength(3);
      expect(records[1]?.problem).toMatch(/longer than 100 bytes/);
      expect(records[1]?.raw).toBe('y'.repeat(1024));
      expect(records[1]?.fields).toEqual([]);
      expect([records[1]?.line, records[1]?.nextLine]).toEqual([2, 4]);
      expect(records[2]?.fields).toEqual(['after\nlong', '2']);
      expect(records[2]?.line).toBe(4);
      expect(records[2]?.end).toBe(Buffer.byteLength(input));
    }
  });

  it('finds the end of an over-long record across chunks: CRLF split, doubled quotes, a quoted line break', () => {
    const settings = { ...SETTINGS, maxRecordSize: 100 };
    const long = `${'w'.repeat(300)},"say ""hi""\r\nagain",x`;
    const input = `a,b\r\n${long}\r\n1,2\r\n`;
    const crAt = Buffer.byteLength(`a,b\r\n${long}`);
    for (const cuts of [[crAt + 1], [crAt], [120, crAt + 1], [5, 150, 330]]) {
      const records = parse(input, cuts, settings);
      expect(records.map((record) => [record.line, record.nextLine, record.problem === null])).toEqual([
        [1, 2, true],
        [2, 4, false],
        [4, 5, true],
      ]);
      expect(records[2]?.fields).toEqual(['1', '2']);
      expect(records[2]?.end).toBe(Buffer.byteLength(input));
    }
  });

  it('stops at a quote still open when the record reaches the limit', () => {
    const settings = { ...SETTINGS, maxRecordSize: 100 };
    const input = `a,b\n1,2\n3,"never closed\n${'z,z\n'.repeat(1000)}`;
    let error: unknown;
    try {
      new CsvRecordParser(settings).push(Buffer.from(input));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CsvSyntaxError);
    expect(error).toMatchObject({ code: 'CSV_MAX_RECORD_SIZE', line: 3 });
  });

  it('names the line of a quote left open at the end of the stream', () => {
    expect(() => parse('a\n"ok"\n\n"open\n')).toThrow(
      expect.objectContaining({ code: 'CSV_QUOTE_NOT_CLOSED', line: 4 }),
    );
  });

  it('rejects a complete record longer than the limit', () => {
    const records = parse(`${'x'.repeat(50)}\nok\n`, [], { ...SETTINGS, maxRecordSize: 10 });
    expect(records[0]?.problem).toMatch(/longer than 10 bytes/);
    expect(records[1]?.problem).toBeNull();
  });

  it('uses the delimiter and quote it is given', () => {
    expect(fieldsOf(parse("a;'b;c'\t\n", [], { ...SETTINGS, delimiter: ';', quote: "'" }))).toEqual([['a', 'b;c\t']]);
    expect(fieldsOf(parse('a\t"b\tc"|d\n', [], { ...SETTINGS, delimiter: '\t' }))).toEqual([['a', 'b\tc|d']]);
  });

  it('reads back any well-formed CSV however the bytes are cut', () => {
    const cell = fc.string({
      unit: fc.constantFrom('a', 'Z', ' ', ',', '"', '\n', '\r', 'é', '😀', '\t', ';'),
      maxLength: 8,
    });
    const table = fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(table, fc.constantFrom('\n', '\r\n', '\r'), fc.array(fc.nat()), (rows, lineEnding, cutSeeds) => {
        // A record that is one empty field would be written as a blank line, which CSV cannot tell from none.
        const kept = rows.filter((row) => !(row.length === 1 && row[0] === ''));
        const lines = kept.map((row) =>
          row.map((value) => (/[",\r\n]/.test(value) || value === '' ? `"${value.replaceAll('"', '""')}"` : value)),
        );
        const text = lines.map((fields) => fields.join(',') + lineEnding).join('');
        const bytes = Buffer.from(text);
        const cuts = cutSeeds.map((seed) => seed % (bytes.length + 1));
        const records = parse(bytes, cuts);
        expect(fieldsOf(records)).toEqual(kept);
        let offset = 0;
        let line = 1;
        records.forEach((record, i) => {
          const written = lines[i]?.join(',') + lineEnding;
          offset += Buffer.byteLength(written);
          expect(record.end).toBe(offset);
          expect(record.line).toBe(line);
          line += (written.match(/\r\n|\r|\n/g) ?? []).length;
          expect(record.nextLine).toBe(line);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('reads any input, malformed too, the same however it is cut, or stops with a syntax error', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'é', ',', '"', '\n', '\r', ' '), maxLength: 60 });
    const outcome = (bytes: Buffer, cuts: number[]) => {
      try {
        return parse(bytes, cuts, { ...SETTINGS, maxRecordSize: 16 }).map((record) => ({
          fields: record.fields,
          end: record.end,
          line: record.line,
          nextLine: record.nextLine,
          problem: record.problem,
          raw: record.raw,
        }));
      } catch (error) {
        expect(error).toBeInstanceOf(CsvSyntaxError);
        return { error: (error as CsvSyntaxError).code, line: (error as CsvSyntaxError).line };
      }
    };
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 6 }), (input, cutSeeds) => {
        const bytes = Buffer.from(input);
        const whole = outcome(bytes, []);
        expect(
          outcome(
            bytes,
            cutSeeds.map((seed) => seed % (bytes.length + 1)),
          ),
        ).toEqual(whole);
        if (Array.isArray(whole)) {
          // Records follow each other: each ends after the previous, the last at the end of the input.
          const ends = whole.map((record) => record.end);
          expect(ends).toEqual([...ends].sort((a, b) => a - b));
          expect(new Set(ends).size).toBe(ends.length);
          if (ends.length > 0) expect(bytes.subarray(ends.at(-1)).toString()).toMatch(/^[\r\n]*$/);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
