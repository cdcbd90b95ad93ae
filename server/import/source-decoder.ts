// Transcodes the file to UTF-8 while streaming (iconv-lite), so csv-parse only
// ever sees UTF-8, and maps offsets in that UTF-8 stream back to bytes of the
// original file: checkpoints must be byte offsets a resumed read can seek to.
import { Transform, type TransformCallback } from 'node:stream';
import iconv from 'iconv-lite';
import type { SourceEncoding } from './sniff-encoding.ts';

interface DecodedChunk {
  /** Offset of the chunk's first byte in the decoded stream. */
  decodedStart: number;
  /** File offset of the source bytes that became this chunk's first character. */
  sourceStart: number;
  utf8: Buffer;
}

/**
 * Each supported encoding other than UTF-8 has a fixed width per UTF-16 code unit
 * (1 byte for the single-byte sets, 2 for UTF-16), so counting code units in a
 * decoded prefix tells exactly how many source bytes produced it.
 */
const UNIT_BYTES: Record<Exclude<SourceEncoding, 'utf-8'>, number> = {
  'utf-16le': 2,
  'utf-16be': 2,
  'windows-1252': 1,
  'iso-8859-1': 1,
  'iso-8859-15': 1,
};

export class SourceDecoder extends Transform {
  readonly #decoder: ReturnType<typeof iconv.getDecoder> | null;
  readonly #unitBytes: number;
  /** Recent chunks, kept until no offset inside them can be asked for again. */
  #chunks: DecodedChunk[] = [];
  #decodedEnd = 0;
  #sourceEnd: number;

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
    this.#unitBytes = encoding === 'utf-8' ? 1 : UNIT_BYTES[encoding];
  }

  /** Whether decoding changes bytes at all; UTF-8 passes through untouched. */
  get transcodes(): boolean {
    return this.#decoder !== null;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.onSourceChunk?.(chunk);
    if (this.#decoder) {
      this.#emit(this.#decoder.write(chunk));
      callback();
    } else callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.#decoder) this.#emit(this.#decoder.end() ?? '');
    callback();
  }

  /** File offset of decoded offset `decoded` (relative to this stream's start). Calls must not go backwards. */
  toSourceOffset(decoded: number): number {
    if (!this.#decoder) return this.sourceOffset + decoded;
    while (this.#chunks.length > 1 && this.#chunks[1].decodedStart <= decoded) this.#chunks.shift();
    const chunk = this.#chunks[0];
    if (!chunk || decoded <= chunk.decodedStart) return chunk?.sourceStart ?? this.#sourceEnd;
    const within = Math.min(decoded - chunk.decodedStart, chunk.utf8.length);
    return chunk.sourceStart + codeUnits(chunk.utf8, within) * this.#unitBytes;
  }

  #emit(text: string): void {
    if (text.length === 0) return;
    const utf8 = Buffer.from(text, 'utf8');
    this.#chunks.push({ decodedStart: this.#decodedEnd, sourceStart: this.#sourceEnd, utf8 });
    this.#decodedEnd += utf8.length;
    this.#sourceEnd += text.length * this.#unitBytes;
    this.push(utf8);
  }
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
