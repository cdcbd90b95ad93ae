// What makes "the same upload" across runs: the server, the file's absolute
// path, its size and modification time. The tus fingerprint is this, as JSON.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';

export interface FileIdentity {
  server: string;
  /** Absolute path. */
  path: string;
  size: number;
  mtimeMs: number;
}

export async function identifyFile(server: string, path: string): Promise<FileIdentity> {
  const absolute = resolve(path);
  const info = await stat(absolute);
  return { server, path: absolute, size: info.size, mtimeMs: info.mtimeMs };
}

export function fingerprintOf(identity: FileIdentity): string {
  return JSON.stringify([identity.server, identity.path, identity.size, identity.mtimeMs]);
}

/** The identity inside a fingerprint this module made; null for anything else. */
export function parseFingerprint(fingerprint: string): FileIdentity | null {
  try {
    const [server, path, size, mtimeMs] = JSON.parse(fingerprint) as unknown[];
    if (typeof server !== 'string' || typeof path !== 'string') return null;
    if (typeof size !== 'number' || typeof mtimeMs !== 'number') return null;
    return { server, path, size, mtimeMs };
  } catch {
    return null;
  }
}

/** Same file on the same server, but changed since: its old upload cannot be continued. */
export function isChangedVersion(stored: FileIdentity, current: FileIdentity): boolean {
  return (
    stored.server === current.server &&
    stored.path === current.path &&
    (stored.size !== current.size || stored.mtimeMs !== current.mtimeMs)
  );
}
