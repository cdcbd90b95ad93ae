// Upload ids are 128 random bits in hex. Anything else is refused before it
// reaches the file system, so an id can never name a path outside UPLOAD_DIR.
import { randomBytes } from 'node:crypto';

const UPLOAD_ID = /^[0-9a-f]{32}$/;

export function generateUploadId(): string {
  return randomBytes(16).toString('hex');
}

export function isValidUploadId(id: string): boolean {
  return UPLOAD_ID.test(id);
}
