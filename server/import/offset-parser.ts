// csv-parse's stream parser, with each record tagged by the file offset just
// after it (line ending included): where a resumed read may start.
import type { TransformCallback } from 'node:stream';
import { type Options, Parser } from 'csv-parse';

/** A parsed record and the parser-relative offset just after its line ending. */
export interface ParsedRecord {
  fields: string[];
  end: number;
}

/**
 * `info.bytes` is the parser's running offset: read while a record is being
 * pushed it is exactly that record's end, later it has moved on. So it is read
 * here, in push(). `info.bytes_records` cannot serve: it sums those offsets.
 * (The `on_record` hook would also see it, but builds an info object per
 * record, which nearly tripled parse time.)
 */
export class OffsetParser extends Parser {
  /** End of the last record pushed, read or not: after a fatal error, where the bad record began. */
  lastRecordEnd = 0;

  /** `onChunk` sees every input chunk before it is parsed (the record locator keeps them). */
  constructor(
    options: Options,
    private readonly onChunk?: (chunk: Buffer) => void,
  ) {
    super(options);
  }

  /** Whether the parser was inside a quoted field when it stopped. */
  get insideQuotes(): boolean {
    return (this as unknown as { state: { quoting?: boolean } }).state.quoting === true;
  }

  override _transform(chunk: Buffer, encoding: BufferEncoding, callback: TransformCallback): void {
    this.onChunk?.(chunk);
    super._transform(chunk, encoding, callback);
  }

  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk === null) return super.push(null, encoding);
    this.lastRecordEnd = this.info.bytes;
    const record: ParsedRecord = { fields: chunk as string[], end: this.lastRecordEnd };
    return super.push(record, encoding);
  }
}
