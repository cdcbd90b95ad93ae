// Maps the parser's record end offsets back to the file: the physical line a
// record starts on and its raw text. csv-parse's own `info.lines` counts a CRLF
// inside quotes as two lines, and its `raw` option copies every byte twice.
import { CR, countLineBreaks, LF } from './line-breaks.ts';

export interface LocatedRecord {
  /** 1-based physical line where the record starts. */
  line: number;
  /** The record's text without its line ending. */
  raw: string;
}

/**
 * Holds the bytes between the last consumed record and what the parser has
 * been fed: a few read chunks plus one record in progress, which
 * `max_record_size` bounds. Line breaks are counted a chunk at a time, when a
 * chunk is let go or a line is asked for, not once per record.
 */
export class RecordLocator {
  #chunks: Buffer[] = [];
  /** File offset of `#chunks[0][0]`. */
  #chunksStart: number;
  #consumed: number;
  /** Line breaks are counted up to `#counted`, which lies on line `#line`. */
  #counted: number;
  #line: number;

  constructor(offset: number, line: number) {
    this.#chunksStart = offset;
    this.#consumed = offset;
    this.#counted = offset;
    this.#line = line;
  }

  /** File offset just after the last consumed record. */
  get offset(): number {
    return this.#consumed;
  }

  /** Line on which `offset` lies. */
  get line(): number {
    this.#countTo(this.#consumed);
    return this.#line;
  }

  append(chunk: Buffer): void {
    this.#chunks.push(chunk);
  }

  /** Consumes the record ending (line ending included) at file offset `end`. */
  skip(end: number): void {
    this.#consumed = end;
    while (this.#chunks.length > 0 && this.#chunksStart + this.#chunks[0].length <= end) {
      this.#countTo(this.#chunksStart + this.#chunks[0].length);
      this.#chunksStart += this.#chunks[0].length;
      this.#chunks.shift();
    }
  }

  /** Consumes the record ending at `end`, saying where it starts and what it says. */
  take(end: number): LocatedRecord {
    this.#countTo(this.#consumed);
    this.#skipBlankLines(end);
    const located = { line: this.#line, raw: this.#text(this.#counted, end) };
    this.skip(end);
    return located;
  }

  /** Line where the record after the one ending at `end` starts: where a fatal error lies. */
  lineOfRecordAfter(end: number): number {
    this.#countTo(end);
    this.#skipBlankLines(Number.POSITIVE_INFINITY);
    return this.#line;
  }

  // The parser drops empty lines silently, so a record starts after them.
  #skipBlankLines(limit: number): void {
    for (let byte = this.#byteAt(this.#counted); this.#counted < limit; byte = this.#byteAt(this.#counted)) {
      if (byte !== LF && byte !== CR) return;
      this.#line++;
      this.#counted += byte === CR && this.#byteAt(this.#counted + 1) === LF ? 2 : 1;
    }
  }

  #countTo(to: number): void {
    if (to <= this.#counted) return;
    let chunkStart = this.#chunksStart;
    for (let i = 0; i < this.#chunks.length && chunkStart < to; i++) {
      const chunk = this.#chunks[i];
      const chunkEnd = chunkStart + chunk.length;
      if (chunkEnd > this.#counted) {
        const localEnd = Math.min(to, chunkEnd) - chunkStart;
        const next = localEnd < chunk.length ? chunk[localEnd] : this.#chunks[i + 1]?.[0];
        this.#line += countLineBreaks(chunk, Math.max(this.#counted - chunkStart, 0), localEnd, next);
      }
      chunkStart = chunkEnd;
    }
    this.#counted = to;
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
    return Buffer.concat(parts)
      .toString('utf8')
      .replace(/(\r\n|\n|\r)$/, '');
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
