// Keys for PostgreSQL advisory locks: 64 bits of a SHA-256 of a namespaced
// name, so upload locks and the maintenance election never share a key and
// collisions between two names are practically impossible.
import { createHash } from 'node:crypto';

/** A signed 64-bit key as a decimal string, for `pg_try_advisory_lock($1::bigint)`. */
export function advisoryLockKey(namespace: string, name: string): string {
  return createHash('sha256').update(`${namespace}\u0000${name}`).digest().readBigInt64BE(0).toString();
}
