// FileStore with two corrections for this service:
// - read() hands @tus/server a web stream made by Readable.toWeb; the raw fs
//   stream races undici on Node 20 and kills the process when a GET client
//   closes early.
// - creation_date reports the last write instead of the creation time, so the
//   expiration @tus/server enforces counts from last activity: a slow 3 GiB
//   upload that keeps sending is never cut off at 24 hours.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FileStore } from '@tus/file-store';
import type { Upload } from '@tus/utils';

export interface UploadFileStoreOptions {
  directory: string;
  expirationPeriodInMilliseconds?: number;
  /** Called after tus termination (DELETE /files/:id) removed the files, before the 204 goes out. */
  onTerminated?: (id: string) => Promise<void>;
  /** Called with the bytes each write stored (also for a PATCH cut midway). */
  onBytesStored?: (bytes: number) => void;
}

export class UploadFileStore extends FileStore {
  readonly #onTerminated: ((id: string) => Promise<void>) | undefined;
  readonly #onBytesStored: ((bytes: number) => void) | undefined;

  constructor(options: UploadFileStoreOptions) {
    super({ directory: options.directory, expirationPeriodInMilliseconds: options.expirationPeriodInMilliseconds });
    this.#onTerminated = options.onTerminated;
    this.#onBytesStored = options.onBytesStored;
  }

  override async write(...args: Parameters<FileStore['write']>): Promise<number> {
    const [, , offset] = args;
    const newOffset = await super.write(...args);
    this.#onBytesStored?.(newOffset - offset);
    return newOffset;
  }

  // @ts-expect-error FileStore declares a Node stream; @tus/server accepts a web stream too.
  override read(fileId: string): ReadableStream {
    return Readable.toWeb(super.read(fileId)) as ReadableStream;
  }

  override async getUpload(id: string): Promise<Upload> {
    const upload = await super.getUpload(id);
    const path = upload.storage?.path;
    if (path && upload.creation_date) {
      const { mtimeMs } = await stat(path);
      const created = new Date(upload.creation_date).getTime();
      if (mtimeMs > created) upload.creation_date = new Date(mtimeMs).toISOString();
    }
    return upload;
  }

  /** tus termination: the files go, then the upload's rows (awaited, so the 204 means gone). */
  override async remove(id: string): Promise<void> {
    await super.remove(id);
    await this.#onTerminated?.(id);
  }

  /** Deletes the bytes and tus metadata only (expiry, retention, API deletion). */
  removeFiles(id: string): Promise<void> {
    return super.remove(id);
  }

  /** Path of an upload's bytes; the id is validated by the caller. */
  filePath(id: string): string {
    return join(this.directory, id);
  }
}
