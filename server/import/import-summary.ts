// The result summary of an import, stored as the job's result: what was found
// in the file (encoding, dialect, header), what was kept, and the counts.
import type { BatchAssembler } from './batch-assembler.ts';
import type { HeaderSummary } from './column-names.ts';
import type { SourceFormat } from './detect-source-format.ts';
import type { ColumnType } from './value-types.ts';

export interface ImportSummary {
  rows: number;
  rowsRejected: number;
  /** Stored column names, in order (the mapping's targets when there is one). */
  columns: string[];
  columnTypes: Record<string, ColumnType>;
  encoding: { name: string; bom: boolean; detectedBy: string };
  dialect: { delimiter: string; quote: string; lineEnding: string; declared: string[] };
  header: HeaderSummary;
  bytes: number;
  sha256: string;
  durationMs: number;
}

export function summarise(input: {
  assembler: BatchAssembler;
  format: SourceFormat;
  bytes: number;
  sha256: string;
  durationMs: number;
}): ImportSummary {
  const { assembler, format } = input;
  const columns = assembler.shaper?.names ?? assembler.header?.names ?? [];
  const types = assembler.shaper?.types ?? [];
  const { declared } = format;
  return {
    rows: assembler.recordNumber - assembler.rowsRejected,
    rowsRejected: assembler.rowsRejected,
    columns,
    columnTypes: Object.fromEntries(columns.map((name, i) => [name, types[i] ?? 'text'])),
    encoding: {
      name: format.encoding.encoding,
      bom: format.encoding.bomBytes > 0,
      detectedBy: format.encoding.detectedBy,
    },
    dialect: {
      delimiter: format.dialect.delimiter,
      quote: format.dialect.quote,
      lineEnding: format.dialect.lineEnding,
      declared: Object.entries(declared).flatMap(([key, value]) => (value ? [key] : [])),
    },
    header: assembler.header ?? {
      present: format.dialect.header,
      names: [],
      renamed: [],
      titleLinesSkipped: [],
    },
    bytes: input.bytes,
    sha256: input.sha256,
    durationMs: input.durationMs,
  };
}
