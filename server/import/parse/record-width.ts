// The width rules every reader of a table applies alike (the import and its
// preview): a trailing delimiter adds one empty field or name that is no column.

/** The header record without the empty name a trailing delimiter adds, when the sniffer found one. */
export function headerCells(record: readonly string[], trailingDelimiter: boolean): readonly string[] {
  return trailingDelimiter && record.length > 1 && record.at(-1)?.trim() === '' ? record.slice(0, -1) : record;
}

/**
 * Fits a record to a table `expected` fields wide: `1,2,3,` under `a,b,c`
 * loses its empty last field (the array is shortened in place). Returns why
 * the record does not fit, or null.
 */
export function fitRecordWidth(fields: string[], expected: number): string | null {
  if (fields.length === expected + 1 && fields[expected] === '') fields.length = expected;
  return fields.length === expected ? null : `expected ${expected} columns, found ${fields.length}`;
}
