// Serialises rows for COPY ... FROM in PostgreSQL's text format, the fastest
// way into `imported_rows` on both pg (pg-copy-streams) and PGlite (/dev/blob).
import type { PiecePool } from './piece-pool.ts';
import type { RowValues } from './row-shaper.ts';

// PostgreSQL text and jsonb cannot hold U+0000 (json stores it, but `data::jsonb` would then fail). U+FFFD keeps the damaged cell
// visible rather than silently cut short, and the rest of the row still loads.
export function withoutNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

/**
 * The row as a JSON array, already in COPY text format (JSON's backslashes
 * doubled). `escapes` marks the values that may need JSON escaping (a bit per
 * value, -1 for all): the others are plain text and are written as they are,
 * which is several times faster than JSON.stringify on typical rows.
 */
export function rowCopyJson(values: RowValues, escapes: number): string {
  if (escapes === 0) return `["${values.join('","')}"]`;
  if (escapes === -1) return copyJson(rowJson(values));
  // Joining an array makes one flat string; concatenating pieces would make a rope per row.
  const inner = values.slice() as string[];
  for (let i = 0; i < inner.length; i++) if ((escapes & (1 << i)) !== 0) inner[i] = escapeMarkedValue(inner[i]);
  return `["${inner.join('","')}"]`;
}

/**
 * A value the parser marked in a chunk free of backslashes and control
 * characters: only quotes and line breaks can be in it. Each becomes its JSON
 * escape with the backslash doubled for COPY (`"` → `\\"`).
 */
function escapeMarkedValue(value: string): string {
  let escaped = value.includes('"') ? value.replaceAll('"', '\\\\"') : value;
  if (escaped.includes('\n')) escaped = escaped.replaceAll('\n', '\\\\n');
  if (escaped.includes('\r')) escaped = escaped.replaceAll('\r', '\\\\r');
  return escaped;
}

/** JSON.stringify of the values, with U+0000 (which jsonb refuses) replaced first. */
export function rowJson(values: RowValues): string {
  const json = JSON.stringify(values);
  // JSON.stringify writes U+0000 as the escape below, so only such rows need the slow path.
  if (!json.includes('\\u0000')) return json;
  return JSON.stringify(values.map((value) => (typeof value === 'string' ? withoutNul(value) : value)));
}

/** JSON text in COPY text format: JSON already escapes tabs and line breaks; only its backslashes need doubling. */
function copyJson(json: string): string {
  return json.includes('\\') ? json.replaceAll('\\', '\\\\') : json;
}

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** One column value in COPY text format, where backslash, tab and line breaks are special. */
export function copyTextValue(value: string): string {
  return value.replace(/[\\\n\r\t]/g, (char) => COPY_ESCAPES[char]);
}

/**
 * Encodes rows as `upload_id, record_number, data` lines for COPY, written as
 * UTF-8 into fixed-size pieces taken from a pool; each full piece goes to
 * `emit` at once, so the rows stream into the database while the file is still
 * being read and what waits in memory is a few pieces, not a batch. Whoever
 * sends a piece gives it back to the pool.
 */
export class CopyTextBuffer {
  readonly #prefix: string;
  #current: Buffer | null = null;
  #used = 0;
  #count = 0;

  constructor(
    uploadId: string,
    private readonly emit: (piece: Buffer) => void,
    private readonly pool: PiecePool,
  ) {
    this.#prefix = `${copyTextValue(withoutNul(uploadId))}\t`;
  }

  /** Rows added since the last flush(). */
  get count(): number {
    return this.#count;
  }

  add(recordNumber: number, values: RowValues, escapes: number): void {
    const line = `${this.#prefix}${recordNumber}\t${rowCopyJson(values, escapes)}\n`;
    this.#count++;
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

  /** Emits the partly filled piece; returns the number of rows added since the last flush. */
  flush(): number {
    this.#emitCurrent();
    const count = this.#count;
    this.#count = 0;
    return count;
  }

  #emitCurrent(): void {
    if (this.#current !== null && this.#used > 0) this.emit(this.#current.subarray(0, this.#used));
    this.#current = null;
    this.#used = 0;
  }
}
