// The result summary of an import, stored as the job's result: what was found
// in the file (encoding, dialect, header), what was kept, and the counts.

import type { StoredColumns } from './destination/destination.ts';
import type { SourceFormat } from './format/detect-source-format.ts';
import { type ImportWarning, importWarnings } from './format/import-warnings.ts';
import type { BatchAssembler } from './rows/batch-assembler.ts';
import type { HeaderSummary } from './rows/column-names.ts';
import { type SuggestedMapping, suggestMapping } from './rows/suggest-mapping.ts';
import type { ColumnType } from './rows/value-types.ts';

export interface ImportSummary {
  rows: number;
  rowsRejected: number;
  /** Stored column names, in order (the mapping's targets when there is one). */
  columns: string[];
  columnTypes: Record<string, ColumnType>;
  encoding: { name: string; bom: boolean; detectedBy: string; confidence: number };
  dialect: {
    delimiter: string;
    /** The quote character, or 'none' when quotes were read as text. */
    quote: string;
    /** 'double' (quotes doubled), 'backslash', or 'none'. */
    escape: 'double' | 'backslash' | 'none';
    lineEnding: string;
    /** Share of the sampled lines whose records have the table's width. */
    consistency: number;
    declared: string[];
  };
  header: HeaderSummary;
  bytes: number;
  sha256: string;
  durationMs: number;
  /** What looks wrong about this import although it ran to the end. */
  warnings: ImportWarning[];
  /** A type per source column from the sample, as a mapping the `mapping` metadata accepts. */
  suggestedMapping: SuggestedMapping;
  /** The stored columns with their header cells (null when the file had no record): what the destination is made of. */
  storedColumns: StoredColumns | null;
}

export function summarise(input: {
  assembler: BatchAssembler;
  /** Rows PostgreSQL refused after the parser accepted them. */
  refusedByDatabase: number;
  format: SourceFormat;
  bytes: number;
  sha256: string;
  durationMs: number;
}): ImportSummary {
  const { assembler, format } = input;
  const columns = assembler.shaper?.names ?? assembler.header?.names ?? [];
  const types = assembler.shaper?.types ?? [];
  const { dialect } = format;
  const rowsRejected = assembler.rowsRejected + input.refusedByDatabase;
  const rows = assembler.recordNumber - rowsRejected;
  return {
    rows,
    rowsRejected,
    columns,
    columnTypes: Object.fromEntries(columns.map((name, i) => [name, types[i] ?? 'text'])),
    ...describeFormat(format),
    header: assembler.header ?? {
      present: format.dialect.header,
      names: [],
      renamed: [],
      titleLinesSkipped: [],
    },
    bytes: input.bytes,
    sha256: input.sha256,
    durationMs: input.durationMs,
    warnings: importWarnings({ rows, rowsRejected, columns: columns.length }, format),
    suggestedMapping: suggestMapping(assembler.header?.names ?? [], dialect.sampleRows, dialect.delimiter),
    storedColumns: assembler.storedColumns,
  };
}

/** What was found about the file's encoding and dialect, as the result and the preview report it. */
export function describeFormat(format: SourceFormat): Pick<ImportSummary, 'encoding' | 'dialect'> {
  const { dialect, encoding, declared } = format;
  return {
    encoding: {
      name: encoding.encoding,
      bom: encoding.bomBytes > 0,
      detectedBy: encoding.detectedBy,
      confidence: Math.round(encoding.confidence * 100) / 100,
    },
    dialect: {
      delimiter: dialect.delimiter,
      quote: dialect.quote === '' ? 'none' : dialect.quote,
      escape: dialect.quote === '' ? 'none' : dialect.escape === '\\' ? 'backslash' : 'double',
      lineEnding: dialect.lineEnding,
      consistency: dialect.consistency,
      declared: Object.entries(declared).flatMap(([key, value]) => (value ? [key] : [])),
    },
  };
}
