// Serialises rows for COPY ... FROM in PostgreSQL's CSV format, on both pg
// (pg-copy-streams) and PGlite (/dev/blob): one line per row, the record
// number first, NULL as an unquoted \N. CSV rather than COPY's text format
// because a record of the file that PostgreSQL's own CSV reader splits exactly
// as the project's parser does can then be sent as the bytes it was written
// with (a "verbatim" record): the worker finds where records end and how many
// fields they have, and PostgreSQL does the rest, as it does for psql's \copy.

import type { RowValues } from '../rows/row-shaper.ts';
import type { CellValue } from '../rows/value-types.ts';
import type { PiecePool } from './piece-pool.ts';
import { RowOrigins } from './row-origins.ts';

/** The delimiter and quote character of an import's COPY input, both single ASCII characters. */
export interface CopyCsvFormat {
  delimiter: string;
  quote: string;
  /** Whether the file's own records can be sent as they are: its delimiter and quote are these, and doubling escapes a quote. */
  verbatim: boolean;
}

/** What COPY reads as NULL: never a quoted value, and never a verbatim record's field (those hold no backslash). */
export const COPY_NULL = '\\N';

const LF = 0x0a;

/**
 * The COPY format for a file of this dialect: its own delimiter and quote when
 * PostgreSQL accepts them as CSV options, so its records may go verbatim;
 * otherwise comma and double quote, and every row is encoded.
 */
export function copyCsvFormatFor(dialect: { delimiter: string; quote: string; escape?: string | null }): CopyCsvFormat {
  const { delimiter, quote } = dialect;
  const escapeChar = dialect.escape ?? quote;
  const usable = (char: string) => char.length === 1 && char.charCodeAt(0) < 0x80 && !'\r\n\\N'.includes(char);
  if (usable(delimiter) && usable(quote) && delimiter !== quote && escapeChar === quote)
    return { delimiter, quote, verbatim: true };
  return { delimiter: ',', quote: '"', verbatim: false };
}

/** The WITH options of a COPY reading this format. */
export function copyCsvOptions(format: CopyCsvFormat): string {
  const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
  return `(FORMAT csv, DELIMITER ${literal(format.delimiter)}, QUOTE ${literal(format.quote)}, NULL ${literal(COPY_NULL)})`;
}

// PostgreSQL text cannot hold U+0000. U+FFFD keeps the damaged cell visible
// rather than silently cut short, and the rest of the row still loads.
export function withoutNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

/** One value as a CSV field: NULL unquoted, numbers and booleans as they print, text quoted (its quotes doubled). */
export function copyCsvValue(value: CellValue, quote: string): string {
  if (value === null) return COPY_NULL;
  if (typeof value !== 'string') return String(value);
  const text = withoutNul(value);
  return text.includes(quote) ? `${quote}${text.replaceAll(quote, quote + quote)}${quote}` : `${quote}${text}${quote}`;
}

/**
 * The row's values as CSV fields without the line break. `escapes` marks the
 * values that may hold the quote character or U+0000 (a bit per value, -1 for
 * all, as the CSV parser reports them): the others are only put in quotes.
 */
export function copyCsvRow(values: RowValues, escapes: number, format: CopyCsvFormat): string {
  const { quote, delimiter } = format;
  // Joining an array makes one flat string; concatenating pieces would make a rope per row.
  const cells = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    cells[i] =
      typeof value === 'string' && escapes !== -1 && (escapes & (1 << i)) === 0
        ? quote + value + quote
        : copyCsvValue(value, quote);
  }
  return cells.join(delimiter);
}

/** Writes the decimal digits of a non-negative integer at `at`; returns the index after them. */
function writeDigits(into: Buffer, at: number, value: number): number {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  let rest = value;
  for (let i = at + digits - 1; i >= at; i--) {
    into[i] = 0x30 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
  return at + digits;
}

/**
 * Writes rows as `record_number, values…` CSV lines for COPY, as UTF-8 into
 * fixed-size pieces taken from a pool; each full piece goes to `emit` at
 * once, so the rows stream into the database while the file is still being
 * read and what waits in memory is a few pieces, not a batch. Whoever sends a
 * piece gives it back to the pool.
 */
export class CopyCsvBuffer {
  #current: Buffer | null = null;
  #used = 0;
  #origins = new RowOrigins();
  readonly #delimiterByte: number;

  constructor(
    private readonly format: CopyCsvFormat,
    private readonly emit: (piece: Buffer) => void,
    private readonly pool: PiecePool,
  ) {
    this.#delimiterByte = format.delimiter.charCodeAt(0);
  }

  /** Rows added since the last flush(). */
  get count(): number {
    return this.#origins.count;
  }

  /** Adds a row of values, encoded as CSV fields. */
  add(recordNumber: number, lineNumber: number, values: RowValues, escapes: number): void {
    this.#origins.add(recordNumber, lineNumber);
    const line = `${recordNumber}${this.format.delimiter}${copyCsvRow(values, escapes, this.format)}\n`;
    // A UTF-16 code unit becomes at most 3 bytes of UTF-8.
    const piece = this.#room(line.length * 3);
    if (piece === null) this.emit(Buffer.from(line, 'utf8'));
    else this.#used += piece.write(line, this.#used, 'utf8');
  }

  /**
   * Adds a record as the file wrote it: `latin1` holds its UTF-8 bytes one
   * character per byte (as the parser reads them), without its line break.
   */
  addVerbatim(recordNumber: number, lineNumber: number, latin1: string): void {
    this.#origins.add(recordNumber, lineNumber);
    // A record number has at most 16 digits (they stay below 2^53).
    const piece = this.#room(16 + 1 + latin1.length + 1);
    if (piece === null) {
      this.emit(Buffer.from(`${recordNumber}${this.format.delimiter}${latin1}\n`, 'latin1'));
      return;
    }
    // The digits are written directly: a string per row for them cost more than the copy of the record.
    let used = writeDigits(piece, this.#used, recordNumber);
    piece[used++] = this.#delimiterByte;
    used += piece.write(latin1, used, 'latin1');
    piece[used++] = LF;
    this.#used = used;
  }

  /** Emits the partly filled piece; returns where the rows added since the last flush came from. */
  flush(): RowOrigins {
    this.#emitCurrent();
    const origins = this.#origins;
    this.#origins = new RowOrigins();
    return origins;
  }

  /** The piece to write up to `most` bytes into, or null when a row needs more than a piece holds. */
  #room(most: number): Buffer | null {
    if (this.#current === null || this.#used + most > this.#current.length) {
      this.#emitCurrent();
      if (most > this.pool.pieceBytes) return null;
      this.#current = this.pool.take();
    }
    return this.#current;
  }

  #emitCurrent(): void {
    if (this.#current !== null && this.#used > 0) this.emit(this.#current.subarray(0, this.#used));
    this.#current = null;
    this.#used = 0;
  }
}
