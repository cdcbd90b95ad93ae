// Words a csv-parse failure for the person who uploaded the file: what is wrong
// and the line where the offending record starts (csv-parse reports the line
// where it noticed, which for an unclosed quote is the end of the file).

export function describeParseError(code: string | undefined, line: number, maxRecordSize: number): string {
  switch (code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return `Unterminated quoted field starting at line ${line}`;
    case 'CSV_QUOTE_NOT_CLOSED_BY_LIMIT':
      return `Unterminated quoted field starting at line ${line}: no closing quote within ${maxRecordSize} bytes`;
    case 'CSV_MAX_RECORD_SIZE':
      return `The record starting at line ${line} is longer than ${maxRecordSize} bytes; the import cannot skip it and stopped there`;
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return `Unexpected character after a closing quote in the record starting at line ${line}`;
    case 'INVALID_OPENING_QUOTE':
      return `Unexpected quote inside an unquoted field in the record starting at line ${line}`;
    default:
      return `The CSV could not be parsed at the record starting at line ${line}`;
  }
}
