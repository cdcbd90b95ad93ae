// The `target` of a mapping ("schema.table") and the allow-list IMPORT_TARGETS
// it must be on: uploads can write into no other existing table.
import { ImportFileError } from '../import-errors.ts';
import { CONFLICT_RULES, type ConflictRule } from './destination.ts';

export interface TableName {
  schema: string;
  table: string;
}

export interface ImportTargetSetting extends TableName {
  onConflict: ConflictRule;
}

const PART = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/** `public.customers` (or `customers`, in public) as a table name; null when it is not one. */
export function parseTableName(text: string): TableName | null {
  const parts = text.trim().split('.');
  if (parts.length > 2 || !parts.every((part) => PART.test(part))) return null;
  return parts.length === 2 ? { schema: parts[0], table: parts[1] } : { schema: 'public', table: parts[0] };
}

/** The mapping JSON's `target` and `onConflict`, or null when it names no target. */
export function parseImportTarget(mappingJson: string): ImportTargetSetting | null {
  let value: unknown;
  try {
    value = JSON.parse(mappingJson);
  } catch {
    return null; // parseColumnMapping reports bad JSON
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const { target, onConflict = 'error' } = value as { target?: unknown; onConflict?: unknown };
  if (target === undefined || target === null || target === '') {
    if (onConflict !== 'error') throw invalid('"onConflict" needs a "target" table');
    return null;
  }
  const name = typeof target === 'string' ? parseTableName(target) : null;
  if (!name) throw invalid(`"target" must name a table as schema.table, got ${JSON.stringify(target)}`);
  if (typeof onConflict !== 'string' || !CONFLICT_RULES.includes(onConflict as ConflictRule))
    throw invalid(`"onConflict" must be one of ${CONFLICT_RULES.join(', ')}, got ${JSON.stringify(onConflict)}`);
  return { ...name, onConflict: onConflict as ConflictRule };
}

/** Throws unless IMPORT_TARGETS allows the table. */
export function checkAllowedTarget(target: TableName, allowed: readonly TableName[]): void {
  if (allowed.some((entry) => entry.schema === target.schema && entry.table === target.table)) return;
  const list = allowed.length === 0 ? 'none are allowed' : `allowed: ${allowed.map(displayTable).join(', ')}`;
  throw invalid(`${displayTable(target)} is not an allowed import target (IMPORT_TARGETS; ${list})`);
}

export function displayTable(name: TableName): string {
  return `${name.schema}.${name.table}`;
}

function invalid(message: string): ImportFileError {
  return new ImportFileError(`Invalid mapping: ${message}`, { code: 'INVALID_MAPPING' });
}
