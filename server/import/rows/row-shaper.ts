// Turns a record's fields into the values stored as a JSON array: every column
// as text, or, with a mapping, only the mapped columns, renamed and typed.
import { type ColumnMapping, resolveSources } from './column-mapping.ts';
import { type CellValue, type ColumnType, TypeMismatch, type ValueParser, valueParser } from './value-types.ts';
import { ALWAYS_VERBATIM, type VerbatimCheck, verbatimCheckFor } from './verbatim-values.ts';

export interface RowProblem {
  /** The file's column the problem is in. */
  column: string;
  message: string;
}

/** A row's values in the order of the shaper's `names`. */
export type RowValues = readonly CellValue[];

export interface RowShaper {
  /** Stored column names, in order. */
  readonly names: string[];
  readonly types: ColumnType[];
  /** The file's column (0-based) each stored column comes from. */
  readonly sources: number[];
  /** The row, or the first problem found in it. */
  shape(fields: readonly string[]): RowValues | RowProblem;
  /** Whether a verbatim record with these fields is stored as written (see verbatim-values.ts); null: never. */
  readonly verbatim: VerbatimCheck | null;
}

export function isRowProblem(shaped: RowValues | RowProblem): shaped is RowProblem {
  return shaped instanceof ProblemFound;
}

class ProblemFound implements RowProblem {
  constructor(
    readonly column: string,
    readonly message: string,
  ) {}
}

export function createRowShaper(columns: readonly string[], mapping: ColumnMapping | null): RowShaper {
  if (!mapping) {
    const names = [...columns];
    return {
      names,
      types: names.map(() => 'text'),
      sources: names.map((_, index) => index),
      // The record's own fields are the row: the caller has checked their count.
      shape: (fields) => fields,
      verbatim: ALWAYS_VERBATIM,
    };
  }
  const sources = resolveSources(mapping, columns);
  const parsers: ValueParser[] = mapping.map((column) => valueParser(column.type, column));
  return {
    names: mapping.map((column) => column.name),
    types: mapping.map((column) => column.type),
    sources,
    verbatim: verbatimCheckFor(mapping, columns),
    shape(fields) {
      const values: CellValue[] = new Array(mapping.length);
      for (let i = 0; i < mapping.length; i++) {
        const column = mapping[i];
        const cell = fields[sources[i]] ?? '';
        if (cell.trim() === '') {
          if (column.required)
            return new ProblemFound(columns[sources[i]], `missing required value for "${column.name}"`);
          // Text stays text, empty included; an empty typed cell has no value.
          values[i] = column.type === 'text' ? cell : null;
          continue;
        }
        const value = parsers[i](cell);
        if (value instanceof TypeMismatch) return new ProblemFound(columns[sources[i]], value.message);
        values[i] = value;
      }
      return values;
    },
  };
}
