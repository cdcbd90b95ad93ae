// S3Store (@tus/s3-store) with what this service needs around it. The object
// key is the upload id; beside it live `<id>.info` (the tus info, written at
// creation) and, between PATCHes, `<id>.part` (a tail shorter than S3's 5 MiB
// minimum part). The object itself exists only once the multipart upload is
// completed, i.e. when the last byte arrived.
// - creation_date reports the last part written, so expiry counts from the last
//   activity as in file mode; a finished upload reports none (never expires).
// - Deleting removes the object, `.info` and `.part` and aborts an unfinished
//   multipart upload: S3Store.remove answers 404 for a finished upload (its
//   AbortMultipartUpload finds no upload) and leaves `.part` behind.
// - No metadata cache: several API processes share the bucket, and a cached
//   `.info` outlives a deletion or a deferred length declared elsewhere.
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { type MetadataValue, S3Store } from '@tus/s3-store';
import type { KvStore, Upload } from '@tus/utils';
import { isValidUploadId } from '../uploads/upload-id.ts';
import { currentRequestContext } from './request-context.ts';
import type { StoreFeatures, UploadProtocolInfo, UploadStore } from './upload-store.ts';
import { toWebReadable } from './web-readable.ts';

export interface UploadS3StoreOptions {
  bucket: string;
  client: S3ClientConfig;
  expirationPeriodInMilliseconds?: number;
  /** Called after tus termination (DELETE /files/:id) removed the objects, before the 204 goes out. */
  onTerminated?: (id: string) => Promise<void>;
  /** Called with the bytes each PATCH stored. */
  onBytesStored?: (bytes: number) => void;
}

/** S3Store caches each `.info` in memory; with several processes that cache goes stale. */
const noCache: KvStore<MetadataValue> = {
  get: async () => undefined,
  set: async () => {},
  delete: async () => {},
};

const INFO_SUFFIX = '.info';
const PART_SUFFIX = '.part';

const NOT_FOUND = new Set(['NoSuchKey', 'NotFound', 'NoSuchUpload']);

/** S3 errors are told apart by name (a HEAD's 404 has no body, so the SDK calls it NotFound). */
function isNotFound(error: unknown): boolean {
  return error instanceof Error && NOT_FOUND.has(error.name);
}

export class UploadS3Store extends S3Store implements UploadStore {
  readonly features: StoreFeatures = { checksum: false, concatenation: false };
  readonly #onTerminated: UploadS3StoreOptions['onTerminated'];
  readonly #onBytesStored: UploadS3StoreOptions['onBytesStored'];

  constructor(options: UploadS3StoreOptions) {
    super({
      s3ClientConfig: { ...options.client, bucket: options.bucket },
      expirationPeriodInMilliseconds: options.expirationPeriodInMilliseconds,
      // Expiry is the service's own cleanup, not a bucket lifecycle rule reading tags.
      useTags: false,
      cache: noCache,
    });
    this.#onTerminated = options.onTerminated;
    this.#onBytesStored = options.onBytesStored;
  }

  override async create(upload: Upload): Promise<Upload> {
    // Own properties of the Upload are what `.info` stores (concatenation is refused before this).
    const info: UploadProtocolInfo = { rawMetadata: currentRequestContext()?.rawMetadata };
    Object.assign(upload, info);
    return super.create(upload);
  }

  override async write(...args: Parameters<S3Store['write']>): Promise<number> {
    const [, , offset] = args;
    const newOffset = await super.write(...args);
    this.#onBytesStored?.(newOffset - offset);
    return newOffset;
  }

  override async getUpload(id: string): Promise<Upload> {
    const upload = await super.getUpload(id);
    if (upload.size !== undefined && upload.offset === upload.size) {
      // Finished bytes never expire: without a date @tus/server never answers 410 for them.
      upload.creation_date = undefined;
    } else if (this.getExpiration() > 0 && upload.creation_date) {
      const last = await this.#lastWrite(id);
      if (last > new Date(upload.creation_date).getTime()) upload.creation_date = new Date(last).toISOString();
    }
    return upload;
  }

  /** Time of the newest part or tail of an unfinished upload (0 when none). */
  async #lastWrite(id: string): Promise<number> {
    const parts = await this.retrieveParts(id);
    const tail = await this.client
      .headObject({ Bucket: this.bucket, Key: `${id}${PART_SUFFIX}` })
      .catch((error: unknown) => (isNotFound(error) ? undefined : Promise.reject(error)));
    const times = [...parts.map((part) => part.LastModified), tail?.LastModified].map((date) => date?.getTime() ?? 0);
    return Math.max(0, ...times);
  }

  /** A declared length rewrites `.info`: keep the recorded protocol headers in it. */
  override async declareUploadLength(id: string, length: number): Promise<void> {
    const info = await this.uploadInfo(id);
    const { file, 'upload-id': multipartId } = await this.getMetadata(id);
    file.size = length;
    await this.saveMetadata(Object.assign(file, info), multipartId);
  }

  async uploadInfo(id: string): Promise<UploadProtocolInfo | undefined> {
    try {
      const { Body } = await this.client.getObject({ Bucket: this.bucket, Key: `${id}${INFO_SUFFIX}` });
      const info = JSON.parse((await Body?.transformToString()) ?? '{}') as UploadProtocolInfo;
      return { concat: info.concat, rawMetadata: info.rawMetadata };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  // @ts-expect-error S3Store declares a Node stream; @tus/server accepts a web stream too.
  override async read(id: string): Promise<ReadableStream> {
    // As in file mode: a web stream, so a GET client closing early cannot crash the process.
    return toWebReadable(await super.read(id));
  }

  /** tus termination: the objects go, then the upload's rows (awaited, so the 204 means gone). */
  override async remove(id: string): Promise<void> {
    await this.removeFiles(id);
    await this.#onTerminated?.(id);
  }

  async removeFiles(id: string): Promise<void> {
    const multipartId = await this.getMetadata(id).then(
      (metadata) => metadata['upload-id'],
      (error: unknown) => (isNotFound(error) ? undefined : Promise.reject(error)),
    );
    if (multipartId) {
      // A finished upload's multipart upload is already gone: NoSuchUpload is expected then.
      await this.client
        .abortMultipartUpload({ Bucket: this.bucket, Key: id, UploadId: multipartId })
        .catch((error: unknown) => (isNotFound(error) ? undefined : Promise.reject(error)));
    }
    await this.removeAllPieces(id);
  }

  async removeAllPieces(id: string): Promise<void> {
    await this.client.deleteObjects({
      Bucket: this.bucket,
      Delete: { Objects: [id, `${id}${INFO_SUFFIX}`, `${id}${PART_SUFFIX}`].map((Key) => ({ Key })), Quiet: true },
    });
  }

  /** The parts received so far (S3 reports them), plus the tail kept as `.part`. */
  receivedBytes(id: string): Promise<number> {
    return this.getUpload(id).then(
      (upload) => upload.offset,
      () => 0,
    );
  }

  async listStoredIds(): Promise<Set<string>> {
    const ids = new Set<string>();
    let token: string | undefined;
    do {
      const page = await this.client.listObjectsV2({ Bucket: this.bucket, ContinuationToken: token });
      for (const object of page.Contents ?? []) {
        const id = object.Key?.replace(/\.(info|part)$/, '');
        if (id && isValidUploadId(id)) ids.add(id);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return ids;
  }

  async oldestPieceChange(id: string): Promise<number | undefined> {
    const times = await Promise.all(
      [id, `${id}${INFO_SUFFIX}`, `${id}${PART_SUFFIX}`].map((Key) =>
        this.client.headObject({ Bucket: this.bucket, Key }).then(
          (head) => head.LastModified?.getTime(),
          (error: unknown) => (isNotFound(error) ? undefined : Promise.reject(error)),
        ),
      ),
    );
    const known = times.filter((time): time is number => time !== undefined);
    return known.length > 0 ? Math.min(...known) : undefined;
  }
}
