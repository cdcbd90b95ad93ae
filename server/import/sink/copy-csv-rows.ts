// Finding a row of a batch's COPY CSV input from the line PostgreSQL names
// when it refuses one. A row is one line unless a quoted value holds line
// breaks; PostgreSQL counts those too, so its "line N" is the N-th line feed
// of the input, and the row is the one that line feed belongs to.
import type { CopyCsvFormat } from './copy-csv.ts';

const LF = 0x0a;

export interface CopyRow {
  /** Position of the row among the rows of `text` (0-based). */
  index: number;
  /** Byte range of the row, its line feed included. */
  start: number;
  end: number;
}

/** The row of `text` that PostgreSQL's `line` (1-based) falls in, or null when the text has fewer lines. */
export function copyRowAtLine(text: Uint8Array, line: number, format: CopyCsvFormat): CopyRow | null {
  const quote = format.quote.charCodeAt(0);
  let index = 0;
  let start = 0;
  let lines = 0;
  let quoted = false;
  for (let at = 0; at < text.length; at++) {
    const byte = text[at];
    // Quotes only ever surround whole values (doubled inside): each one flips the state.
    if (byte === quote) quoted = !quoted;
    else if (byte === LF) {
      lines++;
      if (quoted) continue;
      if (lines >= line) return { index, start, end: at + 1 };
      index++;
      start = at + 1;
    }
  }
  return null;
}

/** A row's values as sent (UTF-8, without the record number and the line feed). */
export function copyRowValues(text: Uint8Array, row: CopyRow, format: CopyCsvFormat): string {
  const line = Buffer.from(text.buffer, text.byteOffset + row.start, row.end - 1 - row.start).toString('utf8');
  return line.slice(line.indexOf(format.delimiter) + 1);
}
