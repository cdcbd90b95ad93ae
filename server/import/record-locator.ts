// Maps the parser's record end offsets back to the file: the physical line a
// record starts on and its raw text. csv-parse's own `info.lines` counts a CRLF
// inside quotes as two lines, and its `raw` option copies every byte twice.
import { CR, countLineBreaks, LF } from './line-breaks.ts';

export interface LocatedRecord {
  /** 1-based physical line where the record starts. */
  line: number;
  /** The record's text without its line ending, when asked for. */
  raw: string | null;
}

/**
 * Holds the bytes between the last consumed record and what the parser has
 * been fed: at most one read chunk plus one record in progress, which
 * `max_record_size` bounds.
 */
export class RecordLocator {
  #chunks: Buffer[] = [];
  /** File offset of `#chunks[0][0]`. */
  #chunksStart: number;
  #offset: number;
  #line: number;

  constructor(offset: number, line: number) {
    this.#chunksStart = offset;
    this.#offset = offset;
    this.#line = line;
  }

  /** File offset just after the last consumed record. */
  get offset(): number {
    return this.#offset;
  }

  /** Line on which `offset` lies. */
  get line(): number {
    return this.#line;
  }

  append(chunk: Buffer): void {
    this.#chunks.push(chunk);
  }

  /** Consumes the record that ends (line ending included) at file offset `end`. */
  take(end: number, withRaw: boolean): LocatedRecord {
    const start = this.#skipBlankLines(this.#offset, this.#line, end);
    const raw = withRaw ? this.#text(start.offset, end) : null;
    this.#line = start.line + this.#countBreaks(start.offset, end);
    this.#offset = end;
    while (this.#chunks.length > 0 && this.#chunksStart + this.#chunks[0].length <= end) {
      this.#chunksStart += this.#chunks[0].length;
      this.#chunks.shift();
    }
    return { line: start.line, raw };
  }

  /** Line where the record after the one ending at `end` starts, without consuming anything. */
  lineOfRecordAfter(end: number): number {
    const line = this.#line + this.#countBreaks(this.#offset, end);
    return this.#skipBlankLines(end, line, Number.POSITIVE_INFINITY).line;
  }

  // The parser skips empty lines silently, so a record starts after them.
  #skipBlankLines(offset: number, line: number, limit: number): { offset: number; line: number } {
    let at = offset;
    let current = line;
    for (let byte = this.#byteAt(at); at < limit && (byte === LF || byte === CR); byte = this.#byteAt(at)) {
      current++;
      at += byte === CR && this.#byteAt(at + 1) === LF ? 2 : 1;
    }
    return { offset: Math.min(at, limit), line: current };
  }

  #countBreaks(from: number, to: number): number {
    let breaks = 0;
    let chunkStart = this.#chunksStart;
    for (let i = 0; i < this.#chunks.length && chunkStart < to; i++) {
      const chunk = this.#chunks[i];
      const chunkEnd = chunkStart + chunk.length;
      if (chunkEnd > from) {
        const localEnd = Math.min(to, chunkEnd) - chunkStart;
        const next = localEnd < chunk.length ? chunk[localEnd] : this.#chunks[i + 1]?.[0];
        breaks += countLineBreaks(chunk, Math.max(from - chunkStart, 0), localEnd, next);
      }
      chunkStart = chunkEnd;
    }
    return breaks;
  }

  #text(from: number, to: number): string {
    const parts: Buffer[] = [];
    let chunkStart = this.#chunksStart;
    for (const chunk of this.#chunks) {
      const chunkEnd = chunkStart + chunk.length;
      if (chunkEnd > from && chunkStart < to) {
        parts.push(chunk.subarray(Math.max(from - chunkStart, 0), Math.min(to, chunkEnd) - chunkStart));
      }
      chunkStart = chunkEnd;
    }
    return Buffer.concat(parts).toString('utf8').replace(/(\r\n|\n|\r)$/, '');
  }

  #byteAt(offset: number): number | undefined {
    let chunkStart = this.#chunksStart;
    for (const chunk of this.#chunks) {
      if (offset < chunkStart + chunk.length) return offset >= chunkStart ? chunk[offset - chunkStart] : undefined;
      chunkStart += chunk.length;
    }
    return undefined;
  }
}
