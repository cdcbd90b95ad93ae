// The one place csv-parse is configured, from the sniffed (or declared) dialect.
import type { Options } from 'csv-parse';

export interface ParserSettings {
  delimiter: string;
  quote: string;
  maxRecordSize: number;
}

export function buildParserOptions(settings: ParserSettings): Options {
  return {
    // The importer skips the BOM itself, in any encoding, by starting after it.
    bom: false,
    delimiter: settings.delimiter,
    quote: settings.quote,
    escape: settings.quote,
    // All three, so a file that mixes them (pasted rows, in-cell LF in CRLF files) still splits
    // where the locator counts lines.
    record_delimiter: ['\r\n', '\n', '\r'],
    // Arrays, not objects: the header is ours to clean up, and it is not re-read on resume.
    columns: false,
    max_record_size: settings.maxRecordSize,
    // Ragged rows are reported per row, not fatal.
    relax_column_count: true,
    skip_empty_lines: true,
  };
}
