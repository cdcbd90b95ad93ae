// Turns a record's fields into the row stored as jsonb: every column as text,
// or, with a mapping, only the mapped columns, renamed and typed.
import { type ColumnMapping, resolveSources } from './column-mapping.ts';
import { type CellValue, type ColumnType, TypeMismatch, type ValueParser, valueParser } from './value-types.ts';

export interface RowProblem {
  /** The file's column the problem is in. */
  column: string;
  message: string;
}

export type RowData = Record<string, CellValue>;

export interface RowShaper {
  /** Stored column names, in order. */
  readonly names: string[];
  readonly types: ColumnType[];
  /** The row, or the first problem found in it. */
  shape(fields: readonly string[]): RowData | RowProblem;
}

export function isRowProblem(shaped: RowData | RowProblem): shaped is RowProblem {
  return shaped instanceof ProblemFound;
}

class ProblemFound implements RowProblem {
  constructor(
    readonly column: string,
    readonly message: string,
  ) {}
}

/** Plain assignment to "__proto__" would set the prototype instead of a key. */
function assign(data: RowData, key: string, value: CellValue): void {
  if (key === '__proto__')
    Object.defineProperty(data, key, { value, enumerable: true, writable: true, configurable: true });
  else data[key] = value;
}

export function createRowShaper(columns: readonly string[], mapping: ColumnMapping | null): RowShaper {
  if (!mapping) {
    const names = [...columns];
    const hasProto = names.includes('__proto__');
    return {
      names,
      types: names.map(() => 'text'),
      shape(fields) {
        const data: RowData = {};
        if (hasProto) for (let i = 0; i < names.length; i++) assign(data, names[i], fields[i]);
        else for (let i = 0; i < names.length; i++) data[names[i]] = fields[i];
        return data;
      },
    };
  }
  const sources = resolveSources(mapping, columns);
  const parsers: ValueParser[] = mapping.map((column) => valueParser(column.type, column));
  return {
    names: mapping.map((column) => column.name),
    types: mapping.map((column) => column.type),
    shape(fields) {
      const data: RowData = {};
      for (let i = 0; i < mapping.length; i++) {
        const column = mapping[i];
        const cell = fields[sources[i]] ?? '';
        if (cell.trim() === '') {
          if (column.required)
            return new ProblemFound(columns[sources[i]], `missing required value for "${column.name}"`);
          // Text stays text, empty included; an empty typed cell has no value.
          assign(data, column.name, column.type === 'text' ? cell : null);
          continue;
        }
        const value = parsers[i](cell);
        if (value instanceof TypeMismatch) return new ProblemFound(columns[sources[i]], value.message);
        assign(data, column.name, value);
      }
      return data;
    },
  };
}
