// Suggests a type per column from the sniffed sample, as DuckDB's sniffer does,
// and writes it as a mapping the service accepts: a client can re-import the
// file typed, or pass it with the next upload. A type is suggested only when
// the import's own value parser takes every non-empty sample cell of the column.
import { type ColumnType, TypeMismatch, type TypeOptions, valueParser } from './value-types.ts';

export interface SuggestedColumn {
  source: string;
  name: string;
  type: ColumnType;
  format?: string;
  decimalSeparator?: '.' | ',';
}

export interface SuggestedMapping {
  columns: SuggestedColumn[];
}

interface TypeCandidate {
  type: ColumnType;
  options: TypeOptions;
  /** Cells that read as this type but must stay text to keep what they say. */
  refuses?: (cell: string) => boolean;
}

// Most specific first: the first candidate that takes every cell wins.
const CANDIDATES: readonly TypeCandidate[] = [
  // `00123` parses as 123, which would lose the zeros: such columns stay text.
  { type: 'integer', options: {}, refuses: (cell) => /^[-+]?0\d/.test(cell.trim()) },
  { type: 'decimal', options: { decimalSeparator: '.' }, refuses: (cell) => /^[-+]?0\d/.test(cell.trim()) },
  { type: 'boolean', options: {} },
  { type: 'date', options: { format: 'YYYY-MM-DD' } },
  { type: 'date', options: { format: 'DD/MM/YYYY' } },
  { type: 'date', options: { format: 'MM/DD/YYYY' } },
  { type: 'date', options: { format: 'DD.MM.YYYY' } },
  { type: 'timestamp', options: {} },
  { type: 'email', options: {} },
];

// With a delimiter other than the comma, `12,50` is a European decimal.
const DECIMAL_COMMA: TypeCandidate = { type: 'decimal', options: { decimalSeparator: ',' } };

function fits(candidate: TypeCandidate, cells: readonly string[]): boolean {
  const parse = valueParser(candidate.type, candidate.options);
  return cells.every((cell) => !candidate.refuses?.(cell) && !(parse(cell) instanceof TypeMismatch));
}

/** The type of one column from its non-empty sample cells; text when nothing else takes them all. */
function suggestType(cells: readonly string[], delimiter: string): TypeCandidate | null {
  if (cells.length === 0) return null;
  const candidates =
    delimiter === ',' ? CANDIDATES : [...CANDIDATES.slice(0, 2), DECIMAL_COMMA, ...CANDIDATES.slice(2)];
  return candidates.find((candidate) => fits(candidate, cells)) ?? null;
}

/** `names` are the file's column names; `rows` the sample's data records (no header, no note lines). */
export function suggestMapping(
  names: readonly string[],
  rows: readonly string[][],
  delimiter: string,
): SuggestedMapping {
  return {
    columns: names.map((name, index) => {
      const cells = rows.map((row) => row[index] ?? '').filter((cell) => cell.trim() !== '');
      const found = suggestType(cells, delimiter);
      const column: SuggestedColumn = { source: name, name, type: found?.type ?? 'text' };
      if (found?.options.format) column.format = found.options.format;
      if (found?.options.decimalSeparator === ',') column.decimalSeparator = ',';
      return column;
    }),
  };
}
