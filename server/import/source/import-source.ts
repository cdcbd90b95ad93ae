// Where an import reads its bytes from. The worker only needs the size and
// ranged reads, so a local file and an object in S3 look the same to it.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';

export interface ImportSource {
  /** Size in bytes; rejects with an error whose code is ENOENT when the bytes are gone. */
  size(): Promise<number>;
  /** Streams bytes [start, end) (end exclusive; undefined reads to the end). */
  openRange(start: number, end?: number): Readable;
}

// Large reads keep per-chunk overhead (stream hops, buffer joins in the parser) small.
const READ_CHUNK_BYTES = 256 * 1024;

export function fileImportSource(filePath: string): ImportSource {
  return {
    size: async () => (await stat(filePath)).size,
    openRange: (start, end) =>
      createReadStream(filePath, {
        start,
        end: end === undefined ? undefined : end - 1,
        highWaterMark: READ_CHUNK_BYTES,
      }),
  };
}
