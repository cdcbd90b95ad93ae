// Words a fatal parse failure for the person who uploaded the file: what is
// wrong and the line where the offending record starts. Only an open quote is
// fatal; every other malformed record is rejected as a row error.
import type { CsvSyntaxError } from './csv-syntax-error.ts';

export function describeParseError(error: CsvSyntaxError, maxRecordSize: number): string {
  const where = `Unterminated quoted field starting at line ${error.line}`;
  // CSV_MAX_RECORD_SIZE: the quoted field ran past the limit before the end of the file.
  const why = error.code === 'CSV_MAX_RECORD_SIZE' ? `${where}: no closing quote within ${maxRecordSize} bytes` : where;
  return `${why}. If quotes in this file are plain text, import it again with quote=none`;
}
