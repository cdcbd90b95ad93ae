// One parser per mapping type. Each takes the raw cell and returns the value
// stored in the row's JSON, or a TypeMismatch saying why the cell does not fit.
import { compileDateFormat, DEFAULT_DATE_FORMAT, formatDate, formatTimestamp, readDateParts } from './date-values.ts';

export type ColumnType = 'text' | 'integer' | 'decimal' | 'boolean' | 'date' | 'timestamp' | 'email';
export const COLUMN_TYPES: readonly ColumnType[] = [
  'text',
  'integer',
  'decimal',
  'boolean',
  'date',
  'timestamp',
  'email',
];

export type CellValue = string | number | boolean | null;

export class TypeMismatch {
  constructor(readonly message: string) {}
}

export interface TypeOptions {
  /** decimal: `.` (default) or `,`. */
  decimalSeparator?: '.' | ',';
  /** date / timestamp: e.g. `DD/MM/YYYY`, `MM/DD/YYYY HH:mm`; ISO 8601 when absent. */
  format?: string;
}

/** Turns a non-empty cell into its typed value. Built once per column, called per row. */
export type ValueParser = (cell: string) => CellValue | TypeMismatch;

const INTEGER = /^[-+]?\d+$/;
const TRUE = new Set(['true', 't', 'yes', 'y', '1', 'on']);
const FALSE = new Set(['false', 'f', 'no', 'n', '0', 'off']);
// Pragmatic check (what importers such as Flatfile accept): one @, no spaces, a dot in the domain.
export const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

export function valueParser(type: ColumnType, options: TypeOptions = {}): ValueParser {
  switch (type) {
    case 'text':
      return (cell) => cell;
    case 'integer':
      return parseInteger;
    case 'decimal':
      return decimalParser(options.decimalSeparator ?? '.');
    case 'boolean':
      return parseBoolean;
    case 'email':
      return (cell) => {
        const value = cell.trim();
        return value.length <= 254 && EMAIL.test(value) ? value : new TypeMismatch(`"${cell}" is not an email address`);
      };
    case 'date': {
      const format = options.format ?? DEFAULT_DATE_FORMAT;
      const matcher = compileDateFormat(format);
      return (cell) => {
        const parts = readDateParts(cell.trim(), matcher);
        return parts ? formatDate(parts) : new TypeMismatch(`"${cell}" is not a date in the format ${format}`);
      };
    }
    case 'timestamp': {
      const matcher = options.format ? compileDateFormat(options.format) : undefined;
      const expected = options.format ?? 'ISO 8601 (YYYY-MM-DDTHH:mm:ss)';
      return (cell) => {
        const parts = readDateParts(cell.trim(), matcher);
        return parts
          ? formatTimestamp(parts)
          : new TypeMismatch(`"${cell}" is not a timestamp in the format ${expected}`);
      };
    }
  }
}

/** JSON numbers when exact (|n| ≤ 2^53 − 1): a bigger id would silently change. */
function parseInteger(cell: string): CellValue | TypeMismatch {
  const value = cell.trim();
  if (!INTEGER.test(value)) return new TypeMismatch(`"${cell}" is not an integer`);
  const number = Number(value);
  return Number.isSafeInteger(number)
    ? number
    : new TypeMismatch(`"${cell}" is outside the integer range ±9007199254740991`);
}

/**
 * Decimals are stored as canonical strings ("-1234.50"), not JSON numbers: a
 * binary float cannot hold 0.1 or a 20-digit amount exactly, a string can.
 */
function decimalParser(separator: '.' | ','): ValueParser {
  const pattern = separator === ',' ? /^([-+]?)(\d*)(?:,(\d+))?$/ : /^([-+]?)(\d*)(?:\.(\d+))?$/;
  return (cell) => {
    const match = pattern.exec(cell.trim());
    if (!match || (match[2] === '' && match[3] === undefined))
      return new TypeMismatch(`"${cell}" is not a decimal number (decimal separator "${separator}")`);
    const [, sign, whole, fraction] = match;
    const integer = whole.replace(/^0+(?=\d)/, '') || '0';
    const negative = sign === '-' && /[1-9]/.test(integer + (fraction ?? ''));
    return `${negative ? '-' : ''}${integer}${fraction === undefined ? '' : `.${fraction}`}`;
  };
}

function parseBoolean(cell: string): CellValue | TypeMismatch {
  const value = cell.trim().toLowerCase();
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  return new TypeMismatch(`"${cell}" is not a boolean (true/false, yes/no, 1/0)`);
}
