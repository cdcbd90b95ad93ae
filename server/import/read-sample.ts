// Reads the first bytes of a file, which the encoding and dialect sniffers judge.
import { open } from 'node:fs/promises';

export const SAMPLE_BYTES = 64 * 1024;

export async function readSample(filePath: string, bytes = SAMPLE_BYTES): Promise<Buffer> {
  const file = await open(filePath, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await file.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}
