// FileStore with the corrections and extensions this service needs:
// - read() hands @tus/server a web stream (toWebReadable); the raw fs
//   stream races undici on Node 20 and kills the process when a GET client
//   closes early.
// - creation_date reports the last write instead of the creation time, so the
//   expiration @tus/server enforces counts from last activity (a slow 3 GiB
//   upload that keeps sending is never cut off), and a finished upload none.
// - checksum: a PATCH carrying Upload-Checksum is hashed as it is written and
//   truncated back to its starting offset when the digest does not match.
// - concatenation: a final upload's file is assembled from its partials.
import { createWriteStream } from 'node:fs';
import { readdir, rm, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FileStore } from '@tus/file-store';
import { ERRORS, type Locker, Upload } from '@tus/utils';
import { freeDiskBytes } from '../uploads/disk-space.ts';
import { isValidUploadId } from '../uploads/upload-id.ts';
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm, ChunkDigests, hashedChunks } from './checksum.ts';
import { assembleFinalUpload } from './concatenate-files.ts';
import { parseChecksum } from './protocol-headers.ts';
import { type ChecksumExpectation, currentRequestContext, type TusRequestContext } from './request-context.ts';
import { checksumMismatch, diskFull, ProtocolError } from './tus-errors.ts';
import type { StoreFeatures, UploadProtocolInfo, UploadStore } from './upload-store.ts';
import { toWebReadable } from './web-readable.ts';

export type { UploadProtocolInfo };

export interface UploadFileStoreOptions {
  directory: string;
  expirationPeriodInMilliseconds?: number;
  /** Called after tus termination (DELETE /files/:id) removed the files, before the 204 goes out. */
  onTerminated?: (id: string) => Promise<void>;
  /** Called with the bytes each write stored (also for a PATCH cut midway); refused chunks are not counted. */
  onBytesStored?: (bytes: number) => void;
  /** The tus server's locker: partials are locked while a final upload is assembled from them. */
  locker?: Locker;
  /** Called once a final upload's bytes are complete, with its partials still locked. */
  onConcatenated?: (finalId: string, size: number, partialIds: string[]) => Promise<void>;
}

/** Below this much free space a failed write is taken to be a full disk. */
const DISK_FULL_BYTES = 1024 * 1024;

export class UploadFileStore extends FileStore implements UploadStore {
  readonly features: StoreFeatures = { checksum: true, concatenation: true };
  readonly #onTerminated: UploadFileStoreOptions['onTerminated'];
  readonly #onBytesStored: UploadFileStoreOptions['onBytesStored'];
  readonly #onConcatenated: UploadFileStoreOptions['onConcatenated'];
  readonly locker: Locker | undefined;

  constructor(options: UploadFileStoreOptions) {
    super({ directory: options.directory, expirationPeriodInMilliseconds: options.expirationPeriodInMilliseconds });
    this.#onTerminated = options.onTerminated;
    this.#onBytesStored = options.onBytesStored;
    this.#onConcatenated = options.onConcatenated;
    this.locker = options.locker;
  }

  override async create(upload: Upload): Promise<Upload> {
    const context = currentRequestContext();
    const info: UploadProtocolInfo = { concat: context?.concat?.header, rawMetadata: context?.rawMetadata };
    // Own properties of the Upload are what the info file stores.
    Object.assign(upload, info);
    const created = await super.create(upload);
    if (context?.concat?.kind === 'final') {
      const size = upload.size ?? 0;
      await assembleFinalUpload(this, upload.id, context.concat.partialIds, size);
      await this.#onConcatenated?.(upload.id, size, context.concat.partialIds);
    }
    return created;
  }

  override async write(...args: Parameters<FileStore['write']>): Promise<number> {
    const [readable, id, offset] = args;
    const context = currentRequestContext();
    const expectation = context?.checksum;
    if (!expectation) {
      const newOffset = await this.#writeFile(readable, id, offset).catch((error: unknown) =>
        this.#explainWriteError(error),
      );
      this.#onBytesStored?.(newOffset - offset);
      return newOffset;
    }
    // A trailer names its algorithm only after the body: hash with every algorithm offered.
    const digests = new ChunkDigests(expectation.source === 'header' ? [expectation.algorithm] : CHECKSUM_ALGORITHMS);
    let newOffset: number;
    try {
      newOffset = await this.#writeFile(Readable.from(hashedChunks(readable, digests)), id, offset);
      verifyChecksum(expectation, digests, context);
    } catch (error) {
      // The chunk is discarded whole: the upload and its offset stay as before this PATCH.
      await truncate(this.filePath(id), offset);
      return this.#explainWriteError(error);
    }
    this.#onBytesStored?.(newOffset - offset);
    return newOffset;
  }

  /**
   * FileStore's write without its byte-counting stage (the file stream counts
   * what it wrote): one stream less holding chunks per upload in flight.
   */
  async #writeFile(readable: Readable, id: string, offset: number): Promise<number> {
    const file = createWriteStream(this.filePath(id), { flags: 'r+', start: offset });
    try {
      await pipeline(readable, file);
    } catch {
      // As FileStore: the bytes written so far stay, the request fails (a full disk is told apart by the caller).
      throw ERRORS.FILE_WRITE_ERROR;
    }
    return offset + file.bytesWritten;
  }

  /**
   * FileStore reports every failed write as a bare 500 and drops the cause. A
   * full disk is the one cause a client should hear about: 507, and the bytes
   * written before it stay (the upload resumes once space returns).
   */
  async #explainWriteError(error: unknown): Promise<never> {
    const free = await freeDiskBytes(this.directory).catch(() => Number.POSITIVE_INFINITY);
    if (free < DISK_FULL_BYTES) throw diskFull();
    throw error;
  }

  // @ts-expect-error FileStore declares a Node stream; @tus/server accepts a web stream too.
  override read(fileId: string): ReadableStream {
    return toWebReadable(super.read(fileId));
  }

  /** FileStore's answer from one info read and one stat (it stats, and the mtime would need another). */
  override async getUpload(id: string): Promise<Upload> {
    const file = (await this.configstore.get(id)) as Upload | undefined;
    if (!file) throw ERRORS.FILE_NOT_FOUND;
    const path = this.filePath(id);
    const stats = await stat(path).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ENOENT' ? ERRORS.FILE_NO_LONGER_EXISTS : error;
    });
    if (stats.isDirectory()) throw ERRORS.FILE_NOT_FOUND;
    const upload = new Upload({
      id,
      size: file.size,
      offset: stats.size,
      metadata: file.metadata,
      creation_date: file.creation_date,
      storage: { type: 'file', path },
    });
    if (upload.size !== undefined && upload.offset === upload.size) {
      // Finished bytes never expire: without a date @tus/server never answers 410 for them.
      upload.creation_date = undefined;
    } else if (upload.creation_date) {
      const created = new Date(upload.creation_date).getTime();
      if (stats.mtimeMs > created) upload.creation_date = new Date(stats.mtimeMs).toISOString();
    }
    return upload;
  }

  /** The protocol headers recorded at creation, or undefined when the upload is unknown. */
  async uploadInfo(id: string): Promise<UploadProtocolInfo | undefined> {
    const info = (await this.configstore.get(id)) as (Upload & UploadProtocolInfo) | undefined;
    return info ? { concat: info.concat, rawMetadata: info.rawMetadata } : undefined;
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

  /** The file's size: the table only learns the offset when the upload ends. */
  receivedBytes(id: string): Promise<number> {
    return stat(this.filePath(id)).then(
      (s) => s.size,
      () => 0,
    );
  }

  async listStoredIds(): Promise<Set<string>> {
    const names = await readdir(this.directory);
    return new Set(names.map((name) => name.replace(/\.json$/, '')).filter(isValidUploadId));
  }

  async oldestPieceChange(id: string): Promise<number | undefined> {
    const path = this.filePath(id);
    const times = await Promise.all(
      [path, `${path}.json`].map((piece) =>
        stat(piece).then(
          (s) => s.mtimeMs,
          () => undefined,
        ),
      ),
    );
    const known = times.filter((time): time is number => time !== undefined);
    return known.length > 0 ? Math.min(...known) : undefined;
  }

  /** Either half may be missing, so both are removed directly rather than through FileStore. */
  async removeAllPieces(id: string): Promise<void> {
    const path = this.filePath(id);
    await rm(path, { force: true });
    await rm(`${path}.json`, { force: true });
  }
}

/** Throws 460 on a mismatch, 400 when an announced trailer is missing or names no offered algorithm. */
function verifyChecksum(expectation: ChecksumExpectation, digests: ChunkDigests, context: TusRequestContext): void {
  let expected: { algorithm: ChecksumAlgorithm; digest: Buffer };
  if (expectation.source === 'header') {
    expected = expectation;
  } else {
    const trailer = context.raw?.trailers['upload-checksum'];
    if (!trailer) throw new ProtocolError(400, 'invalid_request', 'The announced Upload-Checksum trailer was not sent');
    expected = parseChecksum(trailer);
  }
  if (!digests.matches(expected.algorithm, expected.digest)) throw checksumMismatch();
}
