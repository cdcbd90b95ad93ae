// Builds the @tus/server instance: the upload store (files on UPLOAD_DIR or
// objects in S3), size limit, random hex ids, lifecycle hooks, and the error
// mapping to JSON bodies.
import { MemoryLocker, Server } from '@tus/server';
import { ERRORS, type Locker } from '@tus/utils';
import type { Logger } from 'pino';
import type { StorageConfig } from '../config/config.ts';
import { errorBody } from '../errors.ts';
import { deleteUpload } from '../uploads/delete-upload.ts';
import { generateUploadId } from '../uploads/upload-id.ts';
import { createUploadStore } from './create-upload-store.ts';
import { writeBodiesDirectly } from './direct-body-writes.ts';
import { DRAFT_REQUEST_HEADERS, DRAFT_RESPONSE_HEADERS } from './draft/draft-headers.ts';
import { diskFull, uploadBusy } from './tus-errors.ts';
import { createTusHooks, type TusHookOptions, type TusHooks } from './tus-hooks.ts';
import type { UploadStore } from './upload-store.ts';

export const TUS_PATH = '/files';

export interface TusServerOptions extends TusHookOptions {
  storage: StorageConfig;
  uploadExpiryMs: number;
  /** Honour X-Forwarded-* / Forwarded in Location URLs (only behind a trusted proxy). */
  trustProxy: boolean;
  /** Browser origins allowed to use tus from other sites; empty = none (no CORS headers). */
  corsOrigins: readonly string[];
  logger: Logger;
  /** How long a request waits for an upload's lock before answering 503 (default 10 s). */
  lockAcquireTimeoutMs?: number;
  /**
   * How long a lock holder asked to stop may keep writing before it is cut off (default 3 s):
   * long enough for bytes already on their way to land, short enough for a quick takeover.
   */
  lockDrainMs?: number;
  /** Upload locks shared by several processes (PostgresLocker); default: in memory, one process. */
  locker?: Locker;
}

export interface TusServerParts {
  server: Server;
  store: UploadStore;
  /** Shared with the draft layer: one lock per upload whichever protocol writes it. */
  locker: Locker;
  hooks: TusHooks;
  lockDrainMs: number;
}

const NOT_FOUND_BODY = JSON.stringify(errorBody('not_found', 'Upload not found'));

export async function createTusServer(options: TusServerOptions): Promise<TusServerParts> {
  // A new request for a locked upload asks the holder (typically a PATCH whose client
  // vanished) to stop; the holder saves what it received and lets go within lockDrainMs.
  const locker = options.locker ?? new MemoryLocker({ acquireLockTimeout: options.lockAcquireTimeoutMs ?? 10_000 });
  // A bucket has no free-disk figure: only the storage budget (MAX_STORAGE_GB) limits S3 uploads.
  const hooks = createTusHooks({ ...options, checkFreeDisk: options.storage.kind === 'file' });
  const store: UploadStore = await createUploadStore(options.storage, options.uploadDir, {
    expirationPeriodInMilliseconds: options.uploadExpiryMs,
    onTerminated: async (id) => {
      await deleteUpload(options.db, { remove: async () => {} }, id);
      options.metrics.uploadsTerminated.inc();
    },
    onBytesStored: (bytes) => options.metrics.bytesReceived.inc(bytes),
    locker,
    onConcatenated: async (finalId, size, partialIds) => {
      await hooks.onFinalAssembled(finalId, size);
      // The partials' bytes now live in the final upload: they are consumed.
      for (const id of new Set(partialIds)) {
        await deleteUpload(options.db, { remove: (partialId) => store.removeFiles(partialId) }, id);
      }
    },
  });
  const server = new Server({
    path: TUS_PATH,
    datastore: store,
    maxSize: options.maxFileSize,
    respectForwardedHeaders: options.trustProxy,
    // @tus/server answers `Access-Control-Allow-Origin: *` unless given a list: closed by default.
    allowedOrigins: [...options.corsOrigins],
    exposedHeaders: [
      'X-Request-Id',
      'Upload-Expires',
      'Tus-Checksum-Algorithm',
      'Retry-After',
      ...DRAFT_RESPONSE_HEADERS,
    ],
    // Preflights for the resumable-upload draft (server/tus/draft) are answered here too.
    allowedHeaders: ['Upload-Checksum', ...DRAFT_REQUEST_HEADERS],
    locker,
    lockDrainTimeout: options.lockDrainMs ?? 3000,
    namingFunction: () => generateUploadId(),
    onUploadCreate: hooks.onUploadCreate,
    onUploadFinish: hooks.onUploadFinish,
    onResponseError(_request, error) {
      // Clients retry a 503 (tus-js-client does); @tus/server's own answer would be a 500.
      if (error === ERRORS.ERR_LOCK_TIMEOUT) return { status_code: 503, body: uploadBusy().body };
      // An upload deleted after its facts were remembered (known-uploads.ts) reads like any unknown id.
      if (error === ERRORS.FILE_NOT_FOUND) return { status_code: 404, body: NOT_FOUND_BODY };
      // The write stream's ENOSPC can overtake FileStore's own error handling: a full disk
      // is the client's business (507, resume later), not an internal error.
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return diskFull();
      // Hook errors already carry a JSON body; anything else unexpected is logged, not shown.
      if (error instanceof Error) {
        options.logger.error({ err: error }, 'tus request failed');
        return { status_code: 500, body: '{"error":{"code":"internal_error","message":"Internal server error"}}' };
      }
      return undefined;
    },
  });
  writeBodiesDirectly(server);
  return { server, store, locker, hooks, lockDrainMs: options.lockDrainMs ?? 3000 };
}
