// When a typed import may still store a verbatim record as the file wrote it:
// the mapping keeps every column in its place, and each typed field is
// written the one way PostgreSQL and the mapping's parser read alike (a plain
// integer, a plain decimal, an ISO date, a valid email…). Such a record's
// fields only need checking; PostgreSQL converts them itself, as it does for
// psql's \copy. Any other value goes the usual way: parsed, then encoded.
import { type ColumnMapping, resolveSources } from './column-mapping.ts';
import { DEFAULT_DATE_FORMAT } from './date-values.ts';
// The mapping's own email check: a match holds no space, so its trimming changes nothing.
import { EMAIL } from './value-types.ts';

/** Whether a record's fields may be stored as written. */
export type VerbatimCheck = (fields: readonly string[]) => boolean;

/** The check of an import without a mapping: its callers know not to split the record for it. */
export const ALWAYS_VERBATIM: VerbatimCheck = () => true;

// At most 15 digits: always inside the mapping's safe integer range.
const PLAIN_INTEGER = /^-?\d{1,15}$/;
const PLAIN_DECIMAL = /^-?\d+(?:\.\d+)?$/;
// PostgreSQL also takes prefixes ("tr", "of"), which the mapping does not: only whole words go verbatim.
const PLAIN_BOOLEAN = /^(?:true|t|yes|y|1|on|false|f|no|n|0|off)$/i;

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number the ASCII digits of cell[from, to) spell, or -1. */
function digits(cell: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = cell.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

// Read by character codes: a regular expression with groups per row cost a tenth of the import.
function isIsoDate(cell: string): boolean {
  if (cell.length !== 10 || cell.charCodeAt(4) !== 0x2d || cell.charCodeAt(7) !== 0x2d) return false;
  const year = digits(cell, 0, 4);
  const month = digits(cell, 5, 7);
  const day = digits(cell, 8, 10);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS[month - 1]);
}

type CellCheck = (cell: string) => boolean;

/**
 * The check for records of a file with these header `columns` under
 * `mapping`; null when no record can go verbatim (a column moved, left out or
 * of a type whose text PostgreSQL reads otherwise).
 */
export function verbatimCheckFor(mapping: ColumnMapping, columns: readonly string[]): VerbatimCheck | null {
  if (mapping.length !== columns.length) return null;
  const sources = resolveSources(mapping, columns);
  if (sources.some((source, index) => source !== index)) return null;
  const checks: { index: number; check: CellCheck }[] = [];
  for (const [index, column] of mapping.entries()) {
    const check = cellCheckOf(column);
    if (check === null) return null;
    if (check !== ANY_TEXT) checks.push({ index, check });
  }
  return (fields) => {
    for (const { index, check } of checks) if (!check(fields[index] ?? '')) return false;
    return true;
  };
}

const ANY_TEXT: CellCheck = () => true;
// A required text cell must hold more than spaces.
const SOME_TEXT: CellCheck = (cell) => cell.trim() !== '';

function cellCheckOf(column: ColumnMapping[number]): CellCheck | null {
  switch (column.type) {
    case 'text':
      return column.required ? SOME_TEXT : ANY_TEXT;
    case 'integer':
      return (cell) => PLAIN_INTEGER.test(cell);
    case 'decimal':
      return (column.decimalSeparator ?? '.') === '.' ? (cell) => PLAIN_DECIMAL.test(cell) : null;
    case 'boolean':
      return (cell) => PLAIN_BOOLEAN.test(cell);
    case 'email':
      return (cell) => cell.length <= 254 && EMAIL.test(cell);
    case 'date':
      return (column.format ?? DEFAULT_DATE_FORMAT) === DEFAULT_DATE_FORMAT ? isIsoDate : null;
    case 'timestamp':
      return null;
  }
}
