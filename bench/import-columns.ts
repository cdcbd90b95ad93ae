// The import benchmark file's columns as the baselines' tables and the worker's
// mapping see them: all text, or typed as the service's own suggested mapping
// types this file (integer id, email, decimal amount, ISO date), with the
// PostgreSQL type a typed destination table gives each.
import type { ColumnType } from '../server/import/rows/value-types.ts';
import { IMPORT_COLUMNS } from './bench-files.ts';

interface TypedColumn {
  mapping: ColumnType;
  /** The column's type in the typed baseline table. */
  postgres: string;
  format?: string;
}

const TEXT: TypedColumn = { mapping: 'text', postgres: 'text' };

// Mapping integers reach 2^53 - 1, so their table column is bigint; an email is text with a check.
const TYPED: Record<string, TypedColumn> = {
  id: { mapping: 'integer', postgres: 'bigint' },
  email: { mapping: 'email', postgres: 'text' },
  amount: { mapping: 'decimal', postgres: 'numeric' },
  day: { mapping: 'date', postgres: 'date', format: 'YYYY-MM-DD' },
};

const typeOf = (column: string): TypedColumn => TYPED[column] ?? TEXT;

/** Column definitions for CREATE TABLE: 10 text columns, or the typed mapping's types. */
export function tableColumns(typed: boolean): string {
  return IMPORT_COLUMNS.map((column) => `${column} ${typed ? typeOf(column).postgres : 'text'}`).join(', ');
}

/** The `mapping` upload metadata that types the file: every column kept under its own name. */
export function typedMappingMetadata(): string {
  const columns = IMPORT_COLUMNS.map((column) => {
    const { mapping, format } = typeOf(column);
    return { source: column, type: mapping, ...(format ? { format } : {}) };
  });
  return JSON.stringify({ columns });
}

/** The typed columns, for labels: "id integer, email email, …". */
export function typedColumnsLabel(): string {
  return Object.entries(TYPED)
    .map(([column, { mapping }]) => `${column} ${mapping}`)
    .join(', ');
}
