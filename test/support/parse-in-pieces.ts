// Feeds bytes to a CsvRecordParser cut at arbitrary places, as a file arrives
// in chunks: the parser's tests check that no cut changes what it reads.
import type { CsvRecordParser, ParsedRecord } from '../../server/import/parse/csv-record-parser.ts';

/** The records of `bytes` pushed in pieces cut at `cuts` (any numbers: taken modulo the length, sorted). */
export function parseInPieces(parser: CsvRecordParser, bytes: Buffer, cuts: readonly number[]): ParsedRecord[] {
  const records: ParsedRecord[] = [];
  let from = 0;
  for (const cut of cuts.map((seed) => seed % (bytes.length + 1)).sort((a, b) => a - b)) {
    records.push(...parser.push(bytes.subarray(from, cut)));
    from = cut;
  }
  records.push(...parser.push(bytes.subarray(from)), ...parser.end());
  return records;
}
