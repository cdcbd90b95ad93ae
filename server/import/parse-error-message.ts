// Words a fatal parse failure for the person who uploaded the file: what is
// wrong and the line where the offending record starts. Only an open quote is
// fatal; every other malformed record is rejected as a row error.

export function describeParseError(code: string, line: number, maxRecordSize: number): string {
  if (code === 'CSV_QUOTE_NOT_CLOSED_BY_LIMIT')
    return `Unterminated quoted field starting at line ${line}: no closing quote within ${maxRecordSize} bytes`;
  return `Unterminated quoted field starting at line ${line}`;
}
