// What this server announces in OPTIONS: exactly the tus extensions it implements.
import { CHECKSUM_ALGORITHMS } from './checksum.ts';

/** `Tus-Extension`; expiration only when uploads do expire (UPLOAD_EXPIRY_HOURS > 0). */
export function tusExtensions(expires: boolean): string {
  return [
    'creation',
    'creation-with-upload',
    'creation-defer-length',
    'termination',
    ...(expires ? ['expiration'] : []),
    'checksum',
    'checksum-trailer',
    'concatenation',
  ].join(',');
}

/** `Tus-Checksum-Algorithm`. */
export const TUS_CHECKSUM_ALGORITHMS = CHECKSUM_ALGORITHMS.join(',');
