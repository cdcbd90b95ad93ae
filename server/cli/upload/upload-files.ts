// The uploader's core, callable in-process: uploads files a few at a time,
// waits for each import (unless told not to) and returns one result per file.
import { basename } from 'node:path';
import type { ClientChecksumAlgorithm } from './checksum-http-stack.ts';
import { type FileIdentity, identifyFile } from './file-identity.ts';
import { describeUploadError, type FileResult, importOutcome } from './file-result.ts';
import type { ProgressDisplay } from './progress-display.ts';
import { fetchServiceSettings, type ServiceSettings } from './service-api.ts';
import { discoverChecksumAlgorithm } from './tus-discovery.ts';
import { uploadOneFile } from './upload-one-file.ts';
import { UploadUrlStore } from './upload-url-store.ts';
import { waitForImport } from './wait-for-import.ts';

export interface UploadFilesOptions {
  files: string[];
  /** Base URL of the service, without a trailing slash. */
  server: string;
  token: string;
  /** Bytes per PATCH; default: the server's `chunkSize` from GET /api/config. */
  chunkSize?: number;
  /** Files sent at once. */
  parallel: number;
  /** Extra tus metadata (delimiter, header, encoding, mapping…). */
  metadata: Record<string, string>;
  /** Wait for each import to end (false: return once the bytes are in). */
  wait: boolean;
  /** The files are held for review (metadata review=true): each result points at its preview. */
  review?: boolean;
  /** Where the URL store lives (resumption across runs). */
  cacheDir: string;
  /** Checksum every chunk when the server offers it (default true). */
  checksum?: boolean;
  /** tus-js-client retry delays (ms); default RETRY_DELAYS. */
  retryDelays?: number[];
  /** Import polling interval (ms). */
  pollIntervalMs?: number;
  /** Aborting keeps every unfinished upload resumable. */
  signal?: AbortSignal;
}

export interface UploadOutput {
  /** Builds the progress display once the total size is known. */
  createDisplay(totalBytes: number): ProgressDisplay;
  /** Each file's result, as soon as it is known. */
  onResult?(result: FileResult): void;
}

interface FileJob {
  given: string;
  identity: FileIdentity;
}

async function processFile(
  job: FileJob,
  options: UploadFilesOptions,
  context: {
    settings: ServiceSettings;
    checksum: ClientChecksumAlgorithm | null;
    store: UploadUrlStore;
    display: ProgressDisplay;
  },
): Promise<FileResult> {
  const { display } = context;
  const key = job.identity.path;
  const name = basename(job.given);
  const result: FileResult = {
    file: job.given,
    status: 'upload-failed',
    id: null,
    url: null,
    size: job.identity.size,
    resumedFrom: 0,
    restarted: false,
    checksum: context.checksum,
    rowsImported: null,
    rowsRejected: null,
    errorReportUrl: null,
    table: null,
    previewUrl: null,
    warnings: [],
    error: null,
  };
  try {
    const sent = await uploadOneFile({
      identity: job.identity,
      endpoint: context.settings.tusEndpoint,
      token: options.token,
      chunkSize: options.chunkSize ?? context.settings.chunkSize,
      metadata: options.metadata,
      store: context.store,
      retryDelays: options.retryDelays,
      checksum: context.checksum,
      signal: options.signal,
      onStart: (startBytes) => display.begin(key, name, job.identity.size, startBytes),
      onProgress: (bytes) => display.progress(key, bytes),
      onNote: (text) => display.note(text),
    });
    Object.assign(result, { id: sent.id, url: sent.url, resumedFrom: sent.resumedFrom, restarted: sent.restarted });
  } catch (error) {
    display.end(key);
    return { ...result, error: describeUploadError(error) };
  }
  if (options.review) {
    display.end(key);
    return {
      ...result,
      status: 'awaiting-review',
      previewUrl: `${options.server}/api/uploads/${result.id}/preview`,
    };
  }
  if (!options.wait) {
    display.end(key);
    return { ...result, status: 'uploaded' };
  }
  try {
    display.importing(key, 'queued');
    const upload = await waitForImport({
      server: options.server,
      token: options.token,
      id: result.id as string,
      intervalMs: options.pollIntervalMs,
      signal: options.signal,
      onUpdate: (view) =>
        display.importing(key, `${view.job?.state ?? 'queued'}, ${view.job?.progress.rowsDone ?? 0} rows`),
    });
    return { ...result, ...importOutcome(options.server, upload) };
  } catch (error) {
    return { ...result, status: 'import-failed', error: `waiting for the import: ${describeUploadError(error)}` };
  } finally {
    display.end(key);
  }
}

/** Uploads every file (`parallel` at a time) and returns their results in the order given. */
export async function uploadFiles(options: UploadFilesOptions, output: UploadOutput): Promise<FileResult[]> {
  const jobs: FileJob[] = [];
  const seen = new Set<string>();
  for (const given of options.files) {
    const identity = await identifyFile(options.server, given);
    if (!seen.has(identity.path)) jobs.push({ given, identity });
    seen.add(identity.path);
  }
  const settings = await fetchServiceSettings(options.server, options.token);
  // Asked once for the whole run: every file goes to the same server.
  const checksum =
    options.checksum === false ? null : await discoverChecksumAlgorithm(settings.tusEndpoint, options.token);
  const store = new UploadUrlStore(options.cacheDir);
  const display = output.createDisplay(jobs.reduce((sum, job) => sum + job.identity.size, 0));
  const results: FileResult[] = new Array(jobs.length);
  let next = 0;
  async function lane(): Promise<void> {
    for (let index = next++; index < jobs.length; index = next++) {
      const job = jobs[index] as FileJob;
      const result = await processFile(job, options, { settings, checksum, store, display });
      results[index] = result;
      output.onResult?.(result);
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(options.parallel, jobs.length) }, lane));
  } finally {
    display.stop();
  }
  return results;
}
