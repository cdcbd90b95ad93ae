// Reads the first bytes of the source, which the encoding and dialect sniffers judge.
import type { ImportSource } from './import-source.ts';

export const SAMPLE_BYTES = 64 * 1024;

export async function readSample(source: ImportSource, bytes = SAMPLE_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source.openRange(0, bytes)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
