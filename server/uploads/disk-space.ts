// Free bytes on the file system that holds the uploads, for admission checks
// (507 before accepting bytes that cannot be stored) and readiness.
import { statfs } from 'node:fs/promises';

export async function freeDiskBytes(directory: string): Promise<number> {
  const stats = await statfs(directory);
  return stats.bavail * stats.bsize;
}
