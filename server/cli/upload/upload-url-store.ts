// The on-disk memory of unfinished uploads (tus-js-client's UrlStorage), so a
// rerun of the same command continues each file where the server has it.
// Our own rather than tus-js-client's FileUrlStorage: that one rewrites the
// file in place while other uploads read it unlocked (a torn read loses every
// entry), and it cannot be searched by file path to notice a changed file.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { PreviousUpload, UrlStorage } from 'tus-js-client';
import { type FileIdentity, isChangedVersion, parseFingerprint } from './file-identity.ts';

type StoredUpload = Omit<PreviousUpload, 'urlStorageKey'>;

interface StoreEntry {
  fingerprint: string;
  upload: StoredUpload;
}

interface StoreFile {
  version: 1;
  uploads: Record<string, StoreEntry>;
}

/** `UPLOAD_CACHE_DIR`, else `$XDG_CACHE_HOME/csv-upload`, else `~/.cache/csv-upload`. */
export function defaultCacheDir(env: Record<string, string | undefined>): string {
  if (env.UPLOAD_CACHE_DIR) return env.UPLOAD_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'csv-upload');
}

export class UploadUrlStore implements UrlStorage {
  readonly path: string;
  /** Writes are chained: parallel uploads in one process never interleave them. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(cacheDir: string) {
    this.path = join(cacheDir, 'uploads.json');
  }

  private async read(): Promise<StoreFile> {
    const text = await readFile(this.path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    if (!text.trim()) return { version: 1, uploads: {} };
    try {
      const data = JSON.parse(text) as StoreFile;
      return data?.version === 1 && typeof data.uploads === 'object' ? data : { version: 1, uploads: {} };
    } catch {
      // A damaged store costs resumability, never the upload itself.
      return { version: 1, uploads: {} };
    }
  }

  private update<T>(change: (data: StoreFile) => T): Promise<T> {
    const next = this.queue.then(async () => {
      const data = await this.read();
      const result = change(data);
      await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
      // Write then rename: a reader (or a kill -9) sees the old file or the new one, never half.
      const temporary = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(temporary, JSON.stringify(data, null, 1), { mode: 0o600 });
      await rename(temporary, this.path);
      return result;
    });
    this.queue = next.catch(() => {});
    return next;
  }

  private entries(data: StoreFile): PreviousUpload[] {
    return Object.entries(data.uploads).map(([key, entry]) => ({ ...entry.upload, urlStorageKey: key }));
  }

  async findAllUploads(): Promise<PreviousUpload[]> {
    return this.entries(await this.read());
  }

  async findUploadsByFingerprint(fingerprint: string): Promise<PreviousUpload[]> {
    const data = await this.read();
    return this.entries(data).filter((u) => data.uploads[u.urlStorageKey]?.fingerprint === fingerprint);
  }

  removeUpload(urlStorageKey: string): Promise<void> {
    return this.update((data) => {
      delete data.uploads[urlStorageKey];
    });
  }

  addUpload(fingerprint: string, upload: PreviousUpload): Promise<string> {
    const { urlStorageKey: _ignored, ...stored } = upload;
    const key = `tus::${fingerprint}::${randomBytes(6).toString('hex')}`;
    return this.update((data) => {
      data.uploads[key] = { fingerprint, upload: stored };
      return key;
    });
  }

  /**
   * Forgets every upload of this fingerprint, once its file is complete. tus-js-client
   * removes its entry without waiting for the write, and a CLI exits right after.
   */
  forget(fingerprint: string): Promise<void> {
    return this.update((data) => {
      for (const [key, entry] of Object.entries(data.uploads)) {
        if (entry.fingerprint === fingerprint) delete data.uploads[key];
      }
    });
  }

  /** Removes and returns the uploads of an earlier version of this file (it changed since). */
  takeChangedVersions(current: FileIdentity): Promise<PreviousUpload[]> {
    return this.update((data) => {
      const changed = this.entries(data).filter((u) => {
        const stored = parseFingerprint(data.uploads[u.urlStorageKey]?.fingerprint ?? '');
        return stored !== null && isChangedVersion(stored, current);
      });
      for (const upload of changed) delete data.uploads[upload.urlStorageKey];
      return changed;
    });
  }
}
