// Serialises rows for COPY ... FROM in PostgreSQL's text format, the fastest
// way into an import's table on both pg (pg-copy-streams) and PGlite
// (/dev/blob): one line per row, the record number first, values separated by
// tabs, NULL as \N.

import type { RowValues } from '../rows/row-shaper.ts';
import type { CellValue } from '../rows/value-types.ts';
import type { PiecePool } from './piece-pool.ts';

// PostgreSQL text cannot hold U+0000. U+FFFD keeps the damaged cell visible
// rather than silently cut short, and the rest of the row still loads.
export function withoutNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: U+0000 is one of the characters COPY text cannot hold
const COPY_SPECIAL = /[\\\t\n\r\u0000]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above
const COPY_SPECIALS = /[\\\t\n\r\u0000]/g;
const COPY_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\u0000': '\uFFFD',
};

/** One value in COPY text format, where backslash, tab and line breaks are special and \N is NULL. */
export function copyTextValue(value: CellValue): string {
  if (value === null) return '\\N';
  if (typeof value !== 'string') return String(value);
  return COPY_SPECIAL.test(value) ? value.replace(COPY_SPECIALS, (char) => COPY_ESCAPES[char]) : value;
}

/**
 * The row's values as one COPY text line without its line break. `escapes`
 * marks the values that may hold a special character (a bit per value, -1
 * for all, as the CSV parser reports them): the others are plain text and
 * are joined as they are, several times faster than escaping each.
 */
export function copyTextRow(values: RowValues, escapes: number): string {
  if (escapes === 0) return values.join('\t');
  // Joining an array makes one flat string; concatenating pieces would make a rope per row.
  const cells = values.slice();
  for (let i = 0; i < cells.length; i++)
    if (escapes === -1 || (escapes & (1 << i)) !== 0) cells[i] = copyTextValue(cells[i]);
  return cells.join('\t');
}

/** Where each row of a batch came from, by its position in the batch's COPY text (line 1 = index 0). */
export interface BatchRowOrigins {
  recordNumbers: number[];
  lineNumbers: number[];
}

/**
 * Encodes rows as `record_number, values…` lines for COPY, written as UTF-8
 * into fixed-size pieces taken from a pool; each full piece goes to `emit` at
 * once, so the rows stream into the database while the file is still being
 * read and what waits in memory is a few pieces, not a batch. Whoever sends a
 * piece gives it back to the pool.
 */
export class CopyTextBuffer {
  #current: Buffer | null = null;
  #used = 0;
  #origins: BatchRowOrigins = { recordNumbers: [], lineNumbers: [] };

  constructor(
    private readonly emit: (piece: Buffer) => void,
    private readonly pool: PiecePool,
  ) {}

  /** Rows added since the last flush(). */
  get count(): number {
    return this.#origins.recordNumbers.length;
  }

  add(recordNumber: number, lineNumber: number, values: RowValues, escapes: number): void {
    const line = `${recordNumber}\t${copyTextRow(values, escapes)}\n`;
    this.#origins.recordNumbers.push(recordNumber);
    this.#origins.lineNumbers.push(lineNumber);
    // A UTF-16 code unit becomes at most 3 bytes of UTF-8.
    const most = line.length * 3;
    if (this.#current === null || this.#used + most > this.#current.length) {
      this.#emitCurrent();
      if (most > this.pool.pieceBytes) {
        this.emit(Buffer.from(line, 'utf8'));
        return;
      }
      this.#current = this.pool.take();
    }
    this.#used += this.#current.write(line, this.#used, 'utf8');
  }

  /** Emits the partly filled piece; returns where the rows added since the last flush came from. */
  flush(): BatchRowOrigins {
    this.#emitCurrent();
    const origins = this.#origins;
    this.#origins = { recordNumbers: [], lineNumbers: [] };
    return origins;
  }

  #emitCurrent(): void {
    if (this.#current !== null && this.#used > 0) this.emit(this.#current.subarray(0, this.#used));
    this.#current = null;
    this.#used = 0;
  }
}
