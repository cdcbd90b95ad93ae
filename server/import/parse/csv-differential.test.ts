// Differential property tests of the import's CSV reading. csv-parse is the
// oracle the design names: wherever it accepts arbitrary CSV-like bytes with
// the same dialect, the project's parser must give the same records and
// values, however the bytes are cut. Then the same bytes go through a real
// import into each database, and the rows read back must equal the parser's
// values byte for byte: any escaping slip on the way to COPY shows up here.
import { parse as csvParse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  availableDatabaseKinds,
  createRunningJob,
  createSink,
  readRows,
  useImportTestbed,
} from '../../../test/support/import-testbed.ts';
import { parseInPieces } from '../../../test/support/parse-in-pieces.ts';
import { importCsvFile } from '../import-csv-file.ts';
import type { ImportSettings } from '../import-settings.ts';
import { withoutNul } from '../sink/copy-csv.ts';
import { CsvRecordParser, CsvSyntaxError, type ParsedRecord } from './csv-record-parser.ts';

interface TestDialect {
  delimiter: string;
  /** '' : no quoting. */
  quote: string;
  backslash: boolean;
}

// Pieces of CSV that make parsers disagree: every special character of every dialect,
// line endings, multi-byte and broken UTF-8, NUL and other control bytes.
const TOKENS: Buffer[] = [
  'a',
  'Z',
  '7',
  ' ',
  ',',
  ';',
  '\t',
  '|',
  '"',
  '"',
  "'",
  '\\',
  '\n',
  '\r',
  '\r\n',
  'é',
  '😀',
  '\u0000',
  '\u001f',
].map((token) => Buffer.from(token));
TOKENS.push(Buffer.from([0xff]), Buffer.from([0xc3]), Buffer.from([0xe2, 0x82]));

const token = fc.oneof({ weight: 60, arbitrary: fc.constantFrom(...TOKENS) }, { weight: 1, arbitrary: hugeField() });

function hugeField() {
  return fc.integer({ min: 70_000, max: 200_000 }).map((length) => Buffer.alloc(length, 'x'));
}

const dialect: fc.Arbitrary<TestDialect> = fc.record({
  delimiter: fc.constantFrom(',', ';', '\t', '|'),
  quote: fc.constantFrom('"', "'", ''),
  backslash: fc.boolean(),
});

/** Free-form bytes: mostly malformed. */
const looseBytes = fc.array(token, { maxLength: 60 }).map((tokens) => Buffer.concat(tokens));

/** A well-formed table in `d`, whose values are free-form bytes: what a correct writer makes. */
function wellFormed(d: TestDialect) {
  const value = fc.array(token, { maxLength: 6 }).map((tokens) => Buffer.concat(tokens).toString('latin1'));
  const lineEnding = fc.constantFrom('\n', '\r\n', '\r');
  return fc
    .tuple(fc.array(fc.array(value, { minLength: 1, maxLength: 5 }), { maxLength: 8 }), lineEnding, fc.boolean())
    .map(([rows, ending, last]) => {
      const text = rows.map((row) => row.map((cell) => written(cell, d)).join(d.delimiter)).join(ending);
      return Buffer.from(last ? text + ending : text, 'latin1');
    });
}

function written(cell: string, d: TestDialect): string {
  if (d.quote === '') return cell;
  const escapeChar = d.backslash ? '\\' : d.quote;
  const escaped = d.backslash ? cell.replaceAll('\\', '\\\\') : cell;
  return `${d.quote}${escaped.replaceAll(d.quote, escapeChar + d.quote)}${d.quote}`;
}

const input = dialect.chain((d) =>
  fc.tuple(fc.constant(d), fc.oneof(looseBytes, wellFormed(d)), fc.array(fc.nat(), { maxLength: 6 })),
);

function parserSettings(d: TestDialect) {
  return {
    delimiter: d.delimiter,
    quote: d.quote,
    escape: d.backslash && d.quote !== '' ? '\\' : d.quote,
    maxRecordSize: 4 * 1024 * 1024,
  };
}

/** The project's parser over `bytes` cut at `cuts`; a syntax error (an open quote) instead of records. */
function projectRecords(bytes: Buffer, d: TestDialect, cuts: number[]): ParsedRecord[] | CsvSyntaxError {
  const parser = new CsvRecordParser(parserSettings(d));
  try {
    return parseInPieces(parser, bytes, cuts);
  } catch (error) {
    if (error instanceof CsvSyntaxError) return error;
    throw error;
  }
}

/** csv-parse's records, or null where it refuses the input. */
function oracleRecords(bytes: Buffer, d: TestDialect): string[][] | null {
  // csv-parse 7 takes a NUL right after a closing quote into the value (`"a"\0` is `a\0`), where any
  // other character is an error; the project rejects it like any stray text. Not compared.
  if (d.quote !== '' && bytes.includes(Buffer.from(`${d.quote}\0`))) return null;
  try {
    return csvParse(bytes, {
      delimiter: d.delimiter,
      quote: d.quote === '' ? false : d.quote,
      escape: d.backslash && d.quote !== '' ? '\\' : d.quote || '"',
      record_delimiter: ['\r\n', '\n', '\r'],
      skip_empty_lines: true,
      relax_column_count: true,
      bom: false,
    });
  } catch {
    return null;
  }
}

describe('the CSV parser against csv-parse', () => {
  it('gives the same records and values wherever csv-parse accepts the input, however it is cut', () => {
    let compared = 0;
    fc.assert(
      fc.property(input, ([d, bytes, cuts]) => {
        const expected = oracleRecords(bytes, d);
        if (expected === null) return;
        compared++;
        const records = projectRecords(bytes, d, cuts);
        expect(records).not.toBeInstanceOf(CsvSyntaxError);
        const parsed = records as ParsedRecord[];
        expect(parsed.map((record) => record.problem)).toEqual(parsed.map(() => null));
        expect(parsed.map((record) => record.fields)).toEqual(expected);
      }),
      { numRuns: 600 },
    );
    // The comparison must not be vacuous: most generated tables are accepted.
    expect(compared).toBeGreaterThan(200);
  });
});

const kinds = await availableDatabaseKinds();

describe.each(kinds)('imported rows read back from %s', (kind) => {
  const testbed = useImportTestbed(kind);

  it('equal the parser values byte for byte, for any input the parser reads', async () => {
    let imported = 0;
    await fc.assert(
      fc.asyncProperty(input, async ([d, bytes]) => {
        const records = projectRecords(bytes, d, []);
        if (records instanceof CsvSyntaxError) return;
        const filePath = await testbed.fixtures.file(`differential-${imported}.csv`, bytes);
        const job = await createRunningJob(testbed.database.handle);
        const settings: ImportSettings = {
          delimiter: d.delimiter,
          quote: d.quote,
          escape: d.backslash ? '\\' : 'double',
          header: false,
          encoding: 'utf-8',
        };
        const outcome = await importCsvFile(
          { uploadId: job.uploadId, filePath, checkpoint: null, settings },
          createSink(testbed.database.handle, job),
        ).catch((error: Error) => error);
        // Enough control bytes make it "not text", which is refused before any row.
        if (outcome instanceof Error && (outcome as { code?: string }).code === 'BINARY_FILE') return;
        expect(outcome).not.toBeInstanceOf(Error);
        imported++;
        const stored = await readRows(testbed.database.handle, job.uploadId);
        expect(stored.map((row) => [row.recordNumber, Object.values(row.data)])).toEqual(expectedRows(records));
      }),
      { numRuns: 100 },
    );
    expect(imported).toBeGreaterThan(20);
  });
});

/**
 * The rows an import without a header keeps: the first record sets the width;
 * a record with one more, empty, field (a trailing delimiter) loses it; any
 * other width or a malformed record is rejected. NUL becomes U+FFFD.
 */
function expectedRows(records: ParsedRecord[]): [number, string[]][] {
  const width = records[0]?.fields.length ?? 0;
  const rows: [number, string[]][] = [];
  records.forEach((record, index) => {
    let fields = record.fields;
    if (fields.length === width + 1 && fields[width] === '') fields = fields.slice(0, width);
    if (record.problem === null && fields.length === width) rows.push([index + 1, fields.map(withoutNul)]);
  });
  return rows;
}
