// Sends one file with tus-js-client: continues an earlier run's upload from the
// server's offset when the URL store has one, retries network failures with
// backoff long enough to ride out a server restart, and checksums every chunk
// when the server offers it.
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import * as tus from 'tus-js-client';
import { ChecksumHttpStack, type ClientChecksumAlgorithm } from './checksum-http-stack.ts';
import { type FileIdentity, fingerprintOf } from './file-identity.ts';
import type { UploadUrlStore } from './upload-url-store.ts';

/** Waits between attempts (ms); the count restarts whenever bytes got through. ~2 min in all. */
export const RETRY_DELAYS = [0, 1000, 2000, 3000, 5000, 10_000, 20_000, 30_000, 30_000];

/**
 * A chunk refused for a checksum mismatch (460) is resent this many times in a
 * row, no more: the server stored none of it, so a resend is safe, but bytes
 * damaged on every attempt will not heal by waiting.
 */
export const CHECKSUM_RETRIES = 3;

/** tus' status for a PATCH whose Upload-Checksum does not match the bytes received. */
const CHECKSUM_MISMATCH = 460;

export interface FileUploadOptions {
  identity: FileIdentity;
  /** The tus creation URL. */
  endpoint: string;
  token: string;
  chunkSize: number;
  metadata: Record<string, string>;
  store: UploadUrlStore;
  retryDelays?: number[];
  /** Sends Upload-Checksum with every PATCH; null (or absent): no checksums. */
  checksum?: ClientChecksumAlgorithm | null;
  signal?: AbortSignal;
  /** The server's offset is known: 0 for a new upload, more when resuming. */
  onStart(startBytes: number): void;
  onProgress(bytes: number): void;
  onNote(text: string): void;
}

export interface FileUploadResult {
  url: string;
  id: string;
  /** Bytes the server already had when this run started. */
  resumedFrom: number;
  /** An earlier run's upload of a since-changed version was dropped. */
  restarted: boolean;
}

const MIME_TYPES: Record<string, string> = { tsv: 'text/tab-separated-values', tab: 'text/tab-separated-values' };

export function defaultFiletype(filename: string): string {
  const extension = filename.toLowerCase().split('.').pop() ?? '';
  return MIME_TYPES[extension] ?? (extension === 'txt' ? 'text/plain' : 'text/csv');
}

const statusOf = (error: unknown) =>
  error instanceof tus.DetailedError ? (error.originalResponse?.getStatus() ?? 0) : 0;

/** Client errors (4xx) are final, except 409 (offset mismatch) and 423 (locked). */
function isRetryable(error: tus.DetailedError): boolean {
  const status = statusOf(error);
  return !(status >= 400 && status < 500 && status !== 409 && status !== 423);
}

const chunkOffset = (error: tus.DetailedError) => error.originalRequest?.getHeader('Upload-Offset') ?? '?';

/** Drops what an earlier run left for a since-changed version of this file, server side too. */
async function forgetChangedVersions(options: FileUploadOptions, name: string): Promise<boolean> {
  const stale = await options.store.takeChangedVersions(options.identity);
  if (stale.length === 0) return false;
  options.onNote(`${name}: changed since the interrupted run; starting afresh`);
  const headers = { Authorization: `Bearer ${options.token}` };
  for (const { uploadUrl } of stale) {
    if (uploadUrl) await tus.Upload.terminate(uploadUrl, { headers, retryDelays: null }).catch(() => {});
  }
  return true;
}

export async function uploadOneFile(options: FileUploadOptions): Promise<FileUploadResult> {
  const name = basename(options.identity.path);
  const restarted = await forgetChangedVersions(options, name);
  const delays = options.retryDelays ?? RETRY_DELAYS;
  let resumedFrom: number | null = null;
  /** 460 answers in a row for the current chunk. */
  let mismatches = 0;

  return new Promise<FileUploadResult>((resolveUpload, rejectUpload) => {
    // abort(false): stop sending but keep the server's upload and our URL entry, to resume later.
    const onAbort = () => void upload.abort(false).then(() => reject(new Error('interrupted')), reject);
    const resolve = (result: FileUploadResult) => {
      options.signal?.removeEventListener('abort', onAbort);
      resolveUpload(result);
    };
    const reject = (error: unknown) => {
      options.signal?.removeEventListener('abort', onAbort);
      rejectUpload(error);
    };
    const upload = new tus.Upload(createReadStream(options.identity.path), {
      endpoint: options.endpoint,
      chunkSize: options.chunkSize,
      headers: { Authorization: `Bearer ${options.token}` },
      metadata: { filename: name, filetype: defaultFiletype(name), ...options.metadata },
      retryDelays: delays,
      ...(options.checksum ? { httpStack: new ChecksumHttpStack(options.checksum) } : {}),
      fingerprint: async () => fingerprintOf(options.identity),
      urlStorage: options.store,
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onAfterResponse(request, response) {
        const method = request.getMethod();
        const status = response.getStatus();
        const ok = status >= 200 && status < 300;
        if (method === 'PATCH' && ok) mismatches = 0;
        if (method === 'PATCH' && status === CHECKSUM_MISMATCH) mismatches++;
        if (method === 'HEAD' && ok && resumedFrom !== null) {
          // A HEAD after a retry: the server says where to continue.
          options.onNote(`${name}: continuing at byte ${response.getHeader('Upload-Offset')}`);
        } else if (method === 'HEAD' && ok) {
          resumedFrom = Number(response.getHeader('Upload-Offset') ?? 0);
          if (resumedFrom > 0) options.onNote(`${name}: resuming at byte ${resumedFrom} of ${options.identity.size}`);
          options.onStart(resumedFrom);
        } else if (method === 'HEAD' && resumedFrom === null && status >= 400 && status < 500 && status !== 423) {
          options.onNote(`${name}: the earlier upload is gone from the server (${status}); starting afresh`);
        } else if (method === 'POST' && ok && resumedFrom === null) {
          resumedFrom = 0;
          options.onStart(0);
        }
      },
      onShouldRetry(error, attempt) {
        if (statusOf(error) === CHECKSUM_MISMATCH) {
          if (mismatches > CHECKSUM_RETRIES) return false;
          options.onNote(
            `${name}: checksum mismatch at byte ${chunkOffset(error)} (460, nothing stored); resending the chunk (${mismatches}/${CHECKSUM_RETRIES})`,
          );
          return true;
        }
        const retry = isRetryable(error);
        if (retry) {
          const status = error.originalResponse?.getStatus();
          const reason = status ? `the server answered ${status}` : (error.causingError?.message ?? error.message);
          options.onNote(
            `${name}: ${reason}; retry ${attempt + 1}/${delays.length} in ${(delays[attempt] ?? 0) / 1000}s`,
          );
        }
        return retry;
      },
      onProgress: (bytesSent) => options.onProgress(bytesSent),
      onSuccess() {
        const url = upload.url ?? '';
        const result = {
          url,
          id: new URL(url).pathname.split('/').pop() ?? '',
          resumedFrom: resumedFrom ?? 0,
          restarted,
        };
        options.store.forget(fingerprintOf(options.identity)).then(() => resolve(result), reject);
      },
      onError(error) {
        if (statusOf(error) !== CHECKSUM_MISMATCH) return reject(error);
        const at = chunkOffset(error as tus.DetailedError);
        reject(
          new Error(
            `checksum mismatch: the server received different bytes than were sent (${options.checksum}) ` +
              `for the chunk at byte ${at}, ${mismatches} times in a row; something on the way ` +
              '(a proxy, the network) or a change to the file while it was read is altering them',
          ),
        );
      },
    });

    options.signal?.addEventListener('abort', onAbort, { once: true });
    upload
      .findPreviousUploads()
      .then((previous) => {
        const latest = previous.sort((a, b) => Date.parse(b.creationTime) - Date.parse(a.creationTime))[0];
        if (latest) upload.resumeFromPreviousUpload(latest);
        upload.start();
      })
      .catch(reject);
  });
}
