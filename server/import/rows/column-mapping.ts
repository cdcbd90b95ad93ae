// The `mapping` upload metadata: which source columns to keep, renamed to
// what, typed how. Parsed and checked strictly; a mistake fails the job at once.

import { ImportFileError } from '../import-errors.ts';
import { compileDateFormat } from './date-values.ts';
import { COLUMN_TYPES, type ColumnType } from './value-types.ts';

export interface MappedColumn {
  /** The column's name in the stored rows. */
  name: string;
  /** Header name, or 1-based position in the file. */
  source: string | number;
  type: ColumnType;
  required: boolean;
  format?: string;
  decimalSeparator?: '.' | ',';
}

export type ColumnMapping = MappedColumn[];

const KEYS = new Set(['name', 'source', 'type', 'required', 'format', 'decimalSeparator']);

function invalid(message: string): ImportFileError {
  return new ImportFileError(`Invalid mapping: ${message}`, { code: 'INVALID_MAPPING' });
}

/** Parses the metadata value: `{ "columns": [...] }` or the bare array. */
export function parseColumnMapping(json: string): ColumnMapping {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw invalid('it is not valid JSON');
  }
  const list = Array.isArray(value) ? value : (value as { columns?: unknown } | null)?.columns;
  // `target` and `onConflict` are read by parseImportTarget; any other key is a mistake.
  if (!Array.isArray(value) && typeof value === 'object' && value !== null) {
    const unknown = Object.keys(value).filter((key) => !['columns', 'target', 'onConflict'].includes(key));
    if (unknown.length > 0) throw invalid(`unknown keys: ${unknown.join(', ')} (expected columns, target, onConflict)`);
  }
  if (!Array.isArray(list) || list.length === 0)
    throw invalid('expected {"columns": [ ... ]} with at least one column');
  const mapping = list.map((entry, index) => parseEntry(entry, index + 1));
  const names = new Set<string>();
  for (const column of mapping) {
    if (names.has(column.name)) throw invalid(`the target name "${column.name}" is used twice`);
    names.add(column.name);
  }
  return mapping;
}

function parseEntry(entry: unknown, position: number): MappedColumn {
  const at = `column ${position}`;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw invalid(`${at} is not an object`);
  const fields = entry as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((key) => !KEYS.has(key));
  if (unknown.length > 0) throw invalid(`${at} has unknown keys: ${unknown.join(', ')}`);
  const { source, name, type = 'text', required = false, format, decimalSeparator } = fields;
  const validSource =
    (typeof source === 'string' && source.trim() !== '') || (Number.isInteger(source) && (source as number) >= 1);
  if (!validSource) throw invalid(`${at} needs "source": a header name or a 1-based position`);
  if (name !== undefined && (typeof name !== 'string' || name.trim() === ''))
    throw invalid(`${at} has an empty "name"`);
  if (typeof type !== 'string' || !COLUMN_TYPES.includes(type as ColumnType))
    throw invalid(`${at} has type ${JSON.stringify(type)}; expected one of ${COLUMN_TYPES.join(', ')}`);
  if (typeof required !== 'boolean') throw invalid(`${at} has a non-boolean "required"`);
  if (decimalSeparator !== undefined && decimalSeparator !== '.' && decimalSeparator !== ',')
    throw invalid(`${at} has decimalSeparator ${JSON.stringify(decimalSeparator)}; expected "." or ","`);
  if (format !== undefined) {
    if (typeof format !== 'string') throw invalid(`${at} has a non-string "format"`);
    try {
      compileDateFormat(format);
    } catch (error) {
      throw invalid(`${at}: ${(error as Error).message}`);
    }
  }
  return {
    name: typeof name === 'string' ? name.trim() : typeof source === 'string' ? source.trim() : `column_${source}`,
    source: source as string | number,
    type: type as ColumnType,
    required,
    ...(format === undefined ? {} : { format: format as string }),
    ...(decimalSeparator === undefined ? {} : { decimalSeparator: decimalSeparator as '.' | ',' }),
  };
}

/**
 * Index in the file of each mapped column: a header name (exact, else the one
 * case-insensitive match) or a position. A column the file lacks is fatal.
 */
export function resolveSources(mapping: ColumnMapping, columns: readonly string[]): number[] {
  return mapping.map((column) => {
    if (typeof column.source === 'number') {
      if (column.source > columns.length)
        throw invalid(`"${column.name}" maps position ${column.source}, but the file has ${columns.length} columns`);
      return column.source - 1;
    }
    const wanted = column.source.trim();
    const exact = columns.indexOf(wanted);
    if (exact >= 0) return exact;
    const folded = columns.flatMap((name, index) => (name.toLowerCase() === wanted.toLowerCase() ? [index] : []));
    if (folded.length === 1) return folded[0];
    throw invalid(`the file has no column "${wanted}" (its columns: ${columns.map((c) => `"${c}"`).join(', ')})`);
  });
}
