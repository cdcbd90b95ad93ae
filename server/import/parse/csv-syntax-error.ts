/** A file the CSV parser cannot go on reading: an open quote that never closes. */
export class CsvSyntaxError extends Error {
  constructor(
    /** CSV_QUOTE_NOT_CLOSED at the end of the file, CSV_MAX_RECORD_SIZE when no closing quote came within the limit. */
    readonly code: 'CSV_QUOTE_NOT_CLOSED' | 'CSV_MAX_RECORD_SIZE',
    /** Line on which the record with the open quote starts. */
    readonly line: number,
  ) {
    super(`${code} at line ${line}`);
    this.name = 'CsvSyntaxError';
  }
}
