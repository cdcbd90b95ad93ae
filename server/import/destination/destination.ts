// Where an import's rows go: a table created for it (one column per stored
// column, plus the record number) or an allowed existing table, with the
// rule for rows whose key is already there.
import { ImportFileError } from '../import-errors.ts';
import type { ColumnType } from '../rows/value-types.ts';
import { columnIdentifiers, importTableName, qualifiedName, quoteIdentifier } from './sql-names.ts';

export type ConflictRule = 'error' | 'skip' | 'update';
export const CONFLICT_RULES: readonly ConflictRule[] = ['error', 'skip', 'update'];

/** The record number of each row in the import's own table: its primary key, built once the rows are in. */
export const RECORD_NUMBER_COLUMN = 'record_number';

export interface DestinationColumn {
  /** The stored column name: a row's key in the API. */
  name: string;
  /** Its SQL identifier in the table. */
  column: string;
  /** The header cell it came from, as the file spells it; null without a header. */
  header: string | null;
  type: ColumnType;
  sqlType: string;
}

export interface Destination {
  schema: string;
  table: string;
  /** Created for this import: it has the record number column and is dropped with the upload. */
  owned: boolean;
  columns: DestinationColumn[];
  onConflict: ConflictRule;
  /** The existing table's primary key columns, which `skip` and `update` compare. */
  conflictColumns: string[];
}

/** The stored columns of an import, as the row shaper produces them. */
export interface StoredColumns {
  names: readonly string[];
  types: readonly ColumnType[];
  /** The header cell of each stored column (null without a header). */
  headers: readonly (string | null)[];
}

/** A column of an existing table, read from the catalog. */
export interface TableColumn {
  column: string;
  sqlType: string;
}

/** What the import was asked for, before its columns are known. */
export type DestinationRequest =
  | { kind: 'new'; schema: string; filename: string; uploadId: string }
  | {
      kind: 'existing';
      schema: string;
      table: string;
      onConflict: ConflictRule;
      tableColumns: readonly TableColumn[];
      primaryKey: readonly string[];
    };

const SQL_TYPES: Record<ColumnType, string> = {
  text: 'text',
  email: 'text',
  integer: 'bigint',
  decimal: 'numeric',
  boolean: 'boolean',
  date: 'date',
  timestamp: 'timestamptz',
};

export function destinationFor(request: DestinationRequest, stored: StoredColumns): Destination {
  if (request.kind === 'new') {
    const identifiers = columnIdentifiers(stored.names, [RECORD_NUMBER_COLUMN]);
    return {
      schema: request.schema,
      table: importTableName(request.filename, request.uploadId),
      owned: true,
      columns: stored.names.map((name, i) => ({
        name,
        column: identifiers[i],
        header: stored.headers[i] ?? null,
        type: stored.types[i],
        sqlType: SQL_TYPES[stored.types[i]],
      })),
      onConflict: 'error',
      conflictColumns: [],
    };
  }
  const columns = stored.names.map((name, i) => {
    const match = matchTableColumn(request.tableColumns, name);
    if (!match) {
      const names = request.tableColumns.map((c) => c.column).join(', ');
      throw new ImportFileError(
        `Invalid mapping: ${qualifiedName(request.schema, request.table)} has no column "${name}" (its columns: ${names})`,
        { code: 'INVALID_MAPPING' },
      );
    }
    return {
      name,
      column: match.column,
      header: stored.headers[i] ?? null,
      type: stored.types[i],
      sqlType: match.sqlType,
    };
  });
  if (request.onConflict !== 'error' && request.primaryKey.length === 0)
    throw new ImportFileError(
      `Invalid mapping: onConflict "${request.onConflict}" needs a primary key on ${request.schema}.${request.table}, and it has none`,
      { code: 'INVALID_MAPPING' },
    );
  const mapped = new Set(columns.map((c) => c.column));
  const missingKey = request.primaryKey.filter((column) => !mapped.has(column));
  if (request.onConflict !== 'error' && missingKey.length > 0)
    throw new ImportFileError(
      `Invalid mapping: onConflict "${request.onConflict}" compares the primary key, so the mapping must fill ${missingKey.join(', ')}`,
      { code: 'INVALID_MAPPING' },
    );
  return {
    schema: request.schema,
    table: request.table,
    owned: false,
    columns,
    onConflict: request.onConflict,
    conflictColumns: [...request.primaryKey],
  };
}

/** The table column a mapped name fills: the same name, else the one that differs only in case. */
function matchTableColumn(columns: readonly TableColumn[], name: string): TableColumn | undefined {
  const exact = columns.find((c) => c.column === name);
  if (exact) return exact;
  const folded = columns.filter((c) => c.column.toLowerCase() === name.toLowerCase());
  return folded.length === 1 ? folded[0] : undefined;
}

/** How the job result and GET /api/uploads/:id name the destination. */
export interface DestinationSummary {
  schema: string;
  table: string;
  /** `schema.table`, quoted where needed, ready for SQL. */
  qualifiedName: string;
  /** Created for this import (dropped with the upload), or an existing table appended to. */
  owned: boolean;
  columns: DestinationColumn[];
  onConflict: ConflictRule;
  /** For the import's own table: its primary key on the record number was built, which proves each record is there once. */
  recordNumbersUnique?: boolean;
}

export function summariseDestination(destination: Destination, recordNumbersUnique?: boolean): DestinationSummary {
  return {
    schema: destination.schema,
    table: destination.table,
    qualifiedName: displayName(destination.schema, destination.table),
    owned: destination.owned,
    columns: destination.columns,
    onConflict: destination.onConflict,
    ...(recordNumbersUnique === undefined ? {} : { recordNumbersUnique }),
  };
}

/** `imports.customers_3f9a1c2b`: quoted only where SQL needs quotes. */
function displayName(schema: string, table: string): string {
  const part = (name: string) => (/^[a-z_][a-z0-9_]*$/.test(name) ? name : quoteIdentifier(name));
  return `${part(schema)}.${part(table)}`;
}
