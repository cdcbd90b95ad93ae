// The one place csv-parse is configured, so dialect sniffing (delimiter,
// quote) can later change it without touching the import loop.
import type { Options } from 'csv-parse';

/** A parsed record and the file-relative offset just after its line ending. */
export interface ParsedRecord {
  fields: string[];
  end: number;
}

export interface ParserSettings {
  /** True when reading from byte 0: only then can a BOM be present. */
  fromStart: boolean;
  maxRecordSize: number;
  /** Told each record's end as the parser emits it, before the record is read: after a fatal error this is where the bad record began. */
  onEmit?: (end: number) => void;
}

export function buildParserOptions(settings: ParserSettings): Options {
  const options: Options<ParsedRecord, string[]> = {
    bom: settings.fromStart,
    delimiter: ',',
    // Arrays, not objects: the header is ours to clean up, and it is not re-read on resume.
    columns: false,
    max_record_size: settings.maxRecordSize,
    // Ragged rows are reported per row, not fatal.
    relax_column_count: true,
    skip_empty_lines: true,
    // `info.bytes` is the running offset; read at emission it is exactly the end of
    // this record (after its line ending), which is where a resumed read may start.
    // `info.bytes_records` cannot be used: it sums those offsets instead.
    on_record: (fields, info) => {
      settings.onEmit?.(info.bytes);
      return { fields, end: info.bytes };
    },
  };
  // parse()'s typings only let `on_record` change the record type when `columns` is set.
  return options as unknown as Options;
}
