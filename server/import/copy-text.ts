// Serialises rows for COPY ... FROM in PostgreSQL's text format, the fastest
// way into `imported_rows` on both pg (pg-copy-streams) and PGlite (/dev/blob).
import type { ImportedRow } from './batch-sink.ts';
import type { RowData } from './row-shaper.ts';

// PostgreSQL text and jsonb cannot hold U+0000. U+FFFD keeps the damaged cell
// visible rather than silently cut short, and the rest of the row still loads.
export function withoutNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

/** The row as jsonb text; keys and values are cleaned of U+0000 first. */
export function rowJson(data: RowData): string {
  const json = JSON.stringify(data);
  // JSON.stringify writes U+0000 as the escape below, so only such rows need the slow path.
  if (!json.includes('\\u0000')) return json;
  const clean: RowData = Object.create(null);
  for (const [key, value] of Object.entries(data))
    clean[withoutNul(key)] = typeof value === 'string' ? withoutNul(value) : value;
  return JSON.stringify(clean);
}

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** One column value in COPY text format, where backslash, tab and line breaks are special. */
export function copyTextValue(value: string): string {
  return value.replace(/[\\\n\r\t]/g, (char) => COPY_ESCAPES[char]);
}

/**
 * `upload_id, record_number, data` lines for COPY, in pieces of `rowsPerPiece`
 * rows so a writer can stream them without one giant string.
 */
export function* copyTextPieces(
  uploadId: string,
  rows: readonly ImportedRow[],
  rowsPerPiece = 1000,
): Generator<string> {
  const id = copyTextValue(withoutNul(uploadId));
  for (let first = 0; first < rows.length; first += rowsPerPiece) {
    let piece = '';
    for (const row of rows.slice(first, first + rowsPerPiece)) {
      // JSON.stringify already escapes tabs and line breaks; only its backslashes need doubling.
      piece += `${id}\t${row.recordNumber}\t${rowJson(row.data).replaceAll('\\', '\\\\')}\n`;
    }
    yield piece;
  }
}
