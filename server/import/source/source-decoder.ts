// Transcodes the file to UTF-8 while streaming (iconv-lite, any encoding it
// knows), so the CSV parser only ever sees UTF-8, and maps offsets in that UTF-8 stream back to bytes of the
// original file: checkpoints must be byte offsets a resumed read can seek to.
import { Transform, type TransformCallback } from 'node:stream';
import iconv from 'iconv-lite';
import type { SourceEncoding } from '../format/sniff-encoding.ts';

interface DecodedChunk {
  /** Offset of the chunk's first byte in the decoded stream. */
  decodedStart: number;
  /** File offset of the source bytes fed to the decoder with this chunk. */
  sourceStart: number;
  utf8: Buffer;
  /** The source bytes themselves, kept only where offsets are found by counting line breaks. */
  source: Buffer | null;
}

/**
 * How a decoded offset becomes a file offset. Fixed widths count: bytes per
 * UTF-16 code unit (single-byte sets 1, UTF-16 2) or per code point (UTF-32 4).
 * Multi-byte sets such as Shift-JIS, GB18030 or Big5 have no fixed width, but
 * CR and LF are single bytes there and never part of another character, and a
 * record always ends right after one (or at the end of the file): the n-th line
 * break in the decoded text is the n-th in the source bytes.
 */
type OffsetMapping = { kind: 'unit'; bytes: number } | { kind: 'code-point'; bytes: number } | { kind: 'line-breaks' };

function offsetMappingOf(encoding: SourceEncoding): OffsetMapping {
  if (/^utf-16/.test(encoding)) return { kind: 'unit', bytes: 2 };
  if (/^utf-32/.test(encoding)) return { kind: 'code-point', bytes: 4 };
  const codec = iconv.getCodec(encoding) as { constructor: { name: string } };
  return codec.constructor.name === 'SBCSCodec' ? { kind: 'unit', bytes: 1 } : { kind: 'line-breaks' };
}

export class SourceDecoder extends Transform {
  readonly #decoder: ReturnType<typeof iconv.getDecoder> | null;
  readonly #mapping: OffsetMapping;
  /** Recent chunks, kept until no offset inside them can be asked for again. */
  #chunks: DecodedChunk[] = [];
  #decodedEnd = 0;
  #sourceEnd: number;
  #ended = false;

  /** `sourceOffset` is the file offset of the first byte this stream will receive. */
  constructor(
    readonly encoding: SourceEncoding,
    private readonly sourceOffset: number,
    /** Sees each chunk of the original bytes (to hash them). */
    private readonly onSourceChunk?: (chunk: Buffer) => void,
  ) {
    super();
    this.#sourceEnd = sourceOffset;
    this.#decoder = encoding === 'utf-8' ? null : iconv.getDecoder(encoding, { stripBOM: false });
    this.#mapping = encoding === 'utf-8' ? { kind: 'unit', bytes: 1 } : offsetMappingOf(encoding);
  }

  /** Whether decoding changes bytes at all; UTF-8 passes through untouched. */
  get transcodes(): boolean {
    return this.#decoder !== null;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.onSourceChunk?.(chunk);
    if (this.#decoder) {
      this.#emit(this.#decoder.write(chunk), chunk);
      callback();
    } else callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.#decoder) this.#emit(this.#decoder.end() ?? '', Buffer.alloc(0));
    this.#ended = true;
    callback();
  }

  /** File offset of decoded offset `decoded` (relative to this stream's start). Calls must not go backwards. */
  toSourceOffset(decoded: number): number {
    if (!this.#decoder) return this.sourceOffset + decoded;
    if (this.#mapping.kind === 'line-breaks') return this.#byLineBreaks(decoded);
    while (this.#chunks.length > 1 && this.#chunks[1].decodedStart <= decoded) this.#chunks.shift();
    const chunk = this.#chunks[0];
    if (!chunk || decoded <= chunk.decodedStart) return chunk?.sourceStart ?? this.#sourceEnd;
    const within = Math.min(decoded - chunk.decodedStart, chunk.utf8.length);
    const count = this.#mapping.kind === 'unit' ? codeUnits(chunk.utf8, within) : codePoints(chunk.utf8, within);
    return chunk.sourceStart + count * this.#mapping.bytes;
  }

  /** `decoded` is just after a line break, or the end of the stream. */
  #byLineBreaks(decoded: number): number {
    if (decoded >= this.#decodedEnd && this.#ended) return this.#sourceEnd;
    // The chunk holding the byte before `decoded`: the line break the offset follows.
    while (this.#chunks.length > 1 && this.#chunks[0].decodedStart + this.#chunks[0].utf8.length < decoded)
      this.#chunks.shift();
    const chunk = this.#chunks[0];
    if (!chunk || decoded <= chunk.decodedStart) return chunk?.sourceStart ?? this.#sourceEnd;
    const breaks = lineBreakBytes(chunk.utf8, decoded - chunk.decodedStart);
    return chunk.sourceStart + afterLineBreak(chunk.source as Buffer, breaks);
  }

  #emit(text: string, source: Buffer): void {
    const keepSource = this.#mapping.kind === 'line-breaks';
    const utf8 = Buffer.from(text, 'utf8');
    if (utf8.length > 0 || keepSource)
      this.#chunks.push({
        decodedStart: this.#decodedEnd,
        sourceStart: this.#sourceEnd,
        utf8,
        source: keepSource ? source : null,
      });
    this.#decodedEnd += utf8.length;
    // Fixed widths advance by what was decoded; line-break mapping by the bytes fed (a cut character waits in the decoder).
    this.#sourceEnd += keepSource ? source.length : this.#fixedWidthBytes(text);
    if (utf8.length > 0) this.push(utf8);
  }

  #fixedWidthBytes(text: string): number {
    if (this.#mapping.kind !== 'code-point')
      return text.length * (this.#mapping.kind === 'unit' ? this.#mapping.bytes : 1);
    let points = 0;
    for (const _ of text) points++;
    return points * this.#mapping.bytes;
  }
}

/** CR and LF bytes in `bytes[0, end)`. */
function lineBreakBytes(bytes: Uint8Array, end: number): number {
  let count = 0;
  for (let i = 0; i < end; i++) if (bytes[i] === 0x0a || bytes[i] === 0x0d) count++;
  return count;
}

/** The index just after the `n`-th CR or LF byte of `bytes` (n ≥ 1). */
function afterLineBreak(bytes: Uint8Array, n: number): number {
  let seen = 0;
  for (let i = 0; i < bytes.length; i++) if ((bytes[i] === 0x0a || bytes[i] === 0x0d) && ++seen === n) return i + 1;
  return bytes.length;
}

/** Code points encoded by `utf8[0, end)`: one per lead byte. */
function codePoints(utf8: Uint8Array, end: number): number {
  let points = 0;
  for (let i = 0; i < end; i++) if ((utf8[i] & 0xc0) !== 0x80) points++;
  return points;
}

/** UTF-16 code units encoded by `utf8[0, end)`: one per character, two for those outside the BMP. */
export function codeUnits(utf8: Uint8Array, end: number): number {
  let units = 0;
  for (let i = 0; i < end; i++) {
    const byte = utf8[i];
    if ((byte & 0xc0) !== 0x80) units += byte >= 0xf0 ? 2 : 1;
  }
  return units;
}
