// The one place csv-parse is configured, so dialect sniffing (delimiter,
// quote) can later change it without touching the import loop.
import type { Options } from 'csv-parse';

export interface ParserSettings {
  /** True when reading from byte 0: only then can a BOM be present. */
  fromStart: boolean;
  maxRecordSize: number;
}

export function buildParserOptions(settings: ParserSettings): Options {
  return {
    bom: settings.fromStart,
    delimiter: ',',
    // Arrays, not objects: the header is ours to clean up, and it is not re-read on resume.
    columns: false,
    max_record_size: settings.maxRecordSize,
    // Ragged rows are reported per row, not fatal.
    relax_column_count: true,
    skip_empty_lines: true,
  };
}
