// Verbatim records are a shortcut of the parser: with it on, every record must
// come out exactly as the full reading gives it (fields, offsets, lines,
// problems), however the bytes are cut, and the shortcut must actually be
// taken for well-formed quoted CSV. That PostgreSQL stores a verbatim record's
// bytes as these fields is csv-differential.test.ts's import property.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseInPieces } from '../../../test/support/parse-in-pieces.ts';
import { CsvRecordParser, CsvSyntaxError, type ParsedRecord } from './csv-record-parser.ts';
import { splitVerbatim, Utf8Check } from './verbatim-record.ts';

const TOKENS = ['a', ' ', ',', ';', '\t', '"', '"', "'", '\\', '\n', '\r', '\r\n', 'é', '😀', '\u0000']
  .map((token) => Buffer.from(token))
  .concat([Buffer.from([0xff]), Buffer.from([0xe2, 0x82])]);
const token = fc.constantFrom(...TOKENS);
const loose = fc.array(token, { maxLength: 50 }).map((tokens) => Buffer.concat(tokens));
/** Quoted, doubled-quote CSV of free-form values: mostly verbatim records. */
const quoted = (delimiter: string, quote: string) =>
  fc.array(fc.array(fc.array(token, { maxLength: 5 }), { minLength: 1, maxLength: 4 }), { maxLength: 6 }).map((rows) =>
    Buffer.concat(
      rows.flatMap((row) => [
        ...row.flatMap((cell, i) => {
          const text = Buffer.concat(cell)
            .toString('latin1')
            .replaceAll(quote, quote + quote);
          return [Buffer.from(`${i > 0 ? delimiter : ''}${quote}${text}${quote}`, 'latin1')];
        }),
        Buffer.from('\n'),
      ]),
    ),
  );
const dialect = fc.record({ delimiter: fc.constantFrom(',', ';', '\t'), quote: fc.constantFrom('"', "'") });
const input = dialect.chain((d) =>
  fc.tuple(fc.constant(d), fc.oneof(loose, quoted(d.delimiter, d.quote)), fc.array(fc.nat(), { maxLength: 5 })),
);

function read(bytes: Buffer, cuts: number[], settings: { delimiter: string; quote: string; verbatim: boolean }) {
  const parser = new CsvRecordParser({ ...settings, maxRecordSize: 1 << 20 });
  try {
    return parseInPieces(parser, bytes, cuts);
  } catch (error) {
    if (error instanceof CsvSyntaxError) return error.code;
    throw error;
  }
}

const described = (records: ParsedRecord[] | string) =>
  typeof records === 'string'
    ? records
    : records.map((r) => ({
        fields: r.fields,
        end: r.end,
        line: r.line,
        next: r.nextLine,
        problem: r.problem,
        raw: r.raw,
      }));

describe('verbatim records', () => {
  it('read exactly as the full parser reads them, however the bytes are cut', () => {
    let verbatim = 0;
    fc.assert(
      fc.property(input, ([d, bytes, cuts]) => {
        const fast = read(bytes, cuts, { ...d, verbatim: true });
        expect(described(fast)).toEqual(described(read(bytes, [], { ...d, verbatim: false })));
        if (typeof fast === 'string') return;
        for (const record of fast) {
          if (record.verbatim === null) continue;
          verbatim++;
          expect(record.fieldCount).toBe(record.fields.length);
          // A verbatim record's bytes are the UTF-8 of its raw text, and hold neither backslash nor NUL.
          expect(record.verbatim.includes('\\') || record.verbatim.includes('\u0000')).toBe(false);
          expect(Buffer.from(record.verbatim, 'latin1').toString('utf8')).toBe(record.raw);
        }
      }),
      { numRuns: 1000 },
    );
    expect(verbatim).toBeGreaterThan(200);
  });

  it('are not taken for what PostgreSQL would read differently', () => {
    const verbatimOf = (text: string) =>
      read(Buffer.from(text, 'latin1'), [], { delimiter: ',', quote: '"', verbatim: true }) as ParsedRecord[];
    const cases = [
      'a, "b"\n', // spaces before an opening quote are layout here, text to PostgreSQL
      '"a" ,b\n', // and after a closing quote
      '"pedro "pdet" holanda",x\n', // an inner quote
      '5\'10",x\n', // a quote inside an unquoted field
      'a\\N,b\n', // a backslash (COPY's NULL is \N)
      'a\u0000,b\n',
      'caf\xe9,b\n', // latin1 é: not UTF-8
    ];
    for (const text of cases) expect(verbatimOf(text)[0]?.verbatim, text).toBeNull();
    expect(verbatimOf('"a ""b""",,"c\r\nd"\r\n')[0]?.verbatim).toBe('"a ""b""",,"c\r\nd"');
  });

  it('are looked for again after a stretch of records that are not, which are not read twice meanwhile', () => {
    const text = `${'"a" ,b\n'.repeat(100)}${'"c",d\n'.repeat(5000)}`;
    const settings = { delimiter: ',', quote: '"' };
    const fast = read(Buffer.from(text), [], { ...settings, verbatim: true }) as ParsedRecord[];
    expect(described(fast)).toEqual(described(read(Buffer.from(text), [], { ...settings, verbatim: false })));
    const found = fast.filter((record) => record.verbatim !== null).length;
    // The parser paused its search after the first misses and resumed within the verbatim stretch.
    expect(found).toBeGreaterThan(0);
    expect(found).toBeLessThan(5000);
  });

  it('split into fields by the quoting rules alone', () => {
    expect(splitVerbatim('"a ""b""",,c,"",', { delimiter: ',', quote: '"', ascii: true })).toEqual([
      'a "b"',
      '',
      'c',
      '',
      '',
    ]);
    expect(
      splitVerbatim(Buffer.from("'Zoë';x", 'utf8').toString('latin1'), { delimiter: ';', quote: "'", ascii: false }),
    ).toEqual(['Zoë', 'x']);
  });
});

describe('Utf8Check', () => {
  it('checks a character cut between slices with the bytes that complete it', () => {
    const euro = Buffer.from('€', 'utf8');
    const check = new Utf8Check();
    expect(check.check(Buffer.concat([Buffer.from('ab'), euro.subarray(0, 1)]), false)).toBe(true);
    expect(check.complete).toBe(false);
    expect(check.check(euro.subarray(1), false)).toBe(true);
    expect(check.complete).toBe(true);
    expect(check.check(Buffer.from([0x61, 0xe2, 0x28, 0x61]), false)).toBe(false);
    const broken = new Utf8Check();
    broken.check(euro.subarray(0, 2), false);
    expect(broken.check(Buffer.from('x'), true)).toBe(false);
  });
});
