// Builds the @tus/server instance: file store on UPLOAD_DIR, size limit,
// random hex ids, lifecycle hooks, and the error mapping to JSON bodies.
import { Server } from '@tus/server';
import type { Logger } from 'pino';
import { deleteUpload } from '../uploads/delete-upload.ts';
import { generateUploadId } from '../uploads/upload-id.ts';
import { createTusHooks, type TusHookOptions } from './tus-hooks.ts';
import { UploadFileStore } from './upload-file-store.ts';

export const TUS_PATH = '/files';

export interface TusServerOptions extends TusHookOptions {
  uploadExpiryMs: number;
  /** Honour X-Forwarded-* / Forwarded in Location URLs (only behind a trusted proxy). */
  trustProxy: boolean;
  logger: Logger;
}

export function createTusServer(options: TusServerOptions): { server: Server; store: UploadFileStore } {
  const store = new UploadFileStore({
    directory: options.uploadDir,
    expirationPeriodInMilliseconds: options.uploadExpiryMs,
    onTerminated: async (id) => {
      await deleteUpload(options.db, { remove: async () => {} }, id);
      options.metrics.uploadsTerminated.inc();
    },
    onBytesStored: (bytes) => options.metrics.bytesReceived.inc(bytes),
  });
  const hooks = createTusHooks(options);
  const server = new Server({
    path: TUS_PATH,
    datastore: store,
    maxSize: options.maxFileSize,
    respectForwardedHeaders: options.trustProxy,
    namingFunction: () => generateUploadId(),
    onUploadCreate: hooks.onUploadCreate,
    onUploadFinish: hooks.onUploadFinish,
    onResponseError(_request, error) {
      // Hook errors already carry a JSON body; anything else unexpected is logged, not shown.
      if (error instanceof Error) {
        options.logger.error({ err: error }, 'tus request failed');
        return { status_code: 500, body: '{"error":{"code":"internal_error","message":"Internal server error"}}' };
      }
      return undefined;
    },
  });
  return { server, store };
}
