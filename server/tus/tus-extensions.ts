// What this server announces in OPTIONS: exactly the tus extensions it implements
// with the upload store in use (S3 storage offers no checksum or concatenation).
import { CHECKSUM_ALGORITHMS } from './checksum.ts';
import type { StoreFeatures } from './upload-store.ts';

/** `Tus-Extension`; expiration only when uploads do expire (UPLOAD_EXPIRY_HOURS > 0). */
export function tusExtensions(expires: boolean, features: StoreFeatures): string {
  return [
    'creation',
    'creation-with-upload',
    'creation-defer-length',
    'termination',
    ...(expires ? ['expiration'] : []),
    ...(features.checksum ? ['checksum', 'checksum-trailer'] : []),
    ...(features.concatenation ? ['concatenation'] : []),
  ].join(',');
}

/** `Tus-Checksum-Algorithm`. */
export const TUS_CHECKSUM_ALGORITHMS = CHECKSUM_ALGORITHMS.join(',');
