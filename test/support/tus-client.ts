// Drives real tus-js-client uploads from the test process.
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import * as tus from 'tus-js-client';

type UrlStorage = NonNullable<tus.UploadOptions['urlStorage']>;

/** Node's on-disk URL store: exported by tus-js-client at run time, missing from its types. */
export const FileUrlStorage = (tus as unknown as { FileUrlStorage: new (path: string) => UrlStorage }).FileUrlStorage;

export interface TusUploadOptions {
  endpoint: string;
  token: string;
  path: string;
  chunkSize?: number;
  metadata?: Record<string, string>;
  urlStorage?: UrlStorage;
  /** Called with bytes sent; return true to abort the upload there. */
  abortWhen?: (bytesSent: number) => boolean;
  retryDelays?: number[];
  /** tus 1.0 by default; 'ietf-draft-03' / 'ietf-draft-05' speak the resumable-upload draft. */
  protocol?: 'tus-v1' | 'ietf-draft-03' | 'ietf-draft-05';
  /** Send the first chunk with the creation request. */
  uploadDataDuringCreation?: boolean;
}

export interface TusUploadResult {
  url: string;
  /** The offset the client started from (non-zero when it resumed). */
  resumedFrom: number;
  aborted: boolean;
}

export function tusUpload(options: TusUploadOptions): Promise<TusUploadResult> {
  return new Promise((resolve, reject) => {
    let resumedFrom = -1;
    const upload: tus.Upload = new tus.Upload(createReadStream(options.path), {
      endpoint: options.endpoint,
      chunkSize: options.chunkSize ?? Number.POSITIVE_INFINITY,
      headers: { Authorization: `Bearer ${options.token}` },
      metadata: { filename: basename(options.path), filetype: 'text/csv', ...options.metadata },
      retryDelays: options.retryDelays ?? [100, 500, 1000],
      storeFingerprintForResuming: Boolean(options.urlStorage),
      removeFingerprintOnSuccess: true,
      urlStorage: options.urlStorage,
      uploadDataDuringCreation: options.uploadDataDuringCreation,
      // tus-js-client 4.3.1 reads `protocol` but its type declarations lack it.
      ...({ protocol: options.protocol ?? 'tus-v1' } as Partial<tus.UploadOptions>),
      onProgress(bytesSent) {
        if (resumedFrom < 0) resumedFrom = bytesSent;
        if (options.abortWhen?.(bytesSent)) {
          upload.abort().then(() => resolve({ url: upload.url ?? '', resumedFrom, aborted: true }), reject);
        }
      },
      onSuccess() {
        resolve({ url: upload.url ?? '', resumedFrom: Math.max(0, resumedFrom), aborted: false });
      },
      onError: reject,
    });
    if (!options.urlStorage) {
      upload.start();
      return;
    }
    upload
      .findPreviousUploads()
      .then((previous) => {
        const last = previous[0];
        if (last) upload.resumeFromPreviousUpload(last);
        upload.start();
      })
      .catch(reject);
  });
}
