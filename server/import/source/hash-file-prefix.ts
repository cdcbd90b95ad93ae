// On resume the bytes before the checkpoint are not parsed again, but the
// file's sha256 must still cover them; hash state cannot be stored, so re-read.
import type { Hash } from 'node:crypto';
import type { ImportSource } from './import-source.ts';

/** Feeds bytes [0, end) of the source into `hash`; returns how many were read. */
export async function hashFilePrefix(hash: Hash, source: ImportSource, end: number): Promise<number> {
  if (end <= 0) return 0;
  let bytes = 0;
  for await (const chunk of source.openRange(0, end)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return bytes;
}
