// The upload queue: Uppy's Dashboard inline, tus to /files/ with the service's
// chunk size and limits, and Golden Retriever so a closed tab or a crashed
// browser resumes where it stopped (tus keeps each upload URL in localStorage).
import Uppy, { type Body, type UppyFile } from '@uppy/core';
import Dashboard from '@uppy/dashboard';
import GoldenRetriever from '@uppy/golden-retriever';
import Tus from '@uppy/tus';
import type { ApiClient } from './api-client.ts';
import { formatBytes } from './format.ts';
import { allowedMetaFieldsFor, type ImportMeta, importMetaFields, importMetaProblem } from './import-options.ts';
import type { ServiceConfig } from './service-types.ts';
import type { TokenGate } from './token-gate.ts';

export interface UploaderOptions {
  target: HTMLElement;
  config: ServiceConfig;
  api: ApiClient;
  tokens: TokenGate;
  /** Shows a message that must not vanish before it is read (refusals, failures). */
  notify(message: string): void;
  /** Hold the files for review before import (metadata review=true). */
  reviewWanted(): boolean;
  /** The server assigned an upload id (the first bytes are on their way). */
  onUploadStarted(uploadId: string): void;
  onUploadFinished(uploadId: string): void;
}

type ImportFile = UppyFile<ImportMeta, Body>;

/** Rides out a network drop of a minute: 0 + 1 + 3 + 5 + 5 × 10 s of retries. */
const RETRY_DELAYS = [0, 1000, 3000, 5000, 10_000, 10_000, 10_000, 10_000, 10_000];

function uploadIdOf(url: string | null | undefined): string | null {
  if (!url) return null;
  return new URL(url, location.href).pathname.split('/').filter(Boolean).pop() ?? null;
}

/** The service's `{ error: { message } }` from a tus error, when it sent one. */
function serviceMessage(error: Error): string {
  const response = (error as { originalResponse?: { getBody(): string } | null }).originalResponse;
  try {
    const body = JSON.parse(response?.getBody() ?? '') as { error?: { message?: string } };
    if (body.error?.message) return body.error.message;
  } catch {
    // no JSON body (network error): Uppy's own message says what happened
  }
  return error.message;
}

export function createUploader(options: UploaderOptions): Uppy<ImportMeta, Body> {
  const { config, api, tokens, notify } = options;
  // The server checks both the extension and, when sent, the MIME type; so does the browser.
  const extensions = config.allowedTypes.filter((type) => type.startsWith('.'));
  const mimeTypes = new Set([
    ...config.allowedTypes.filter((type) => !type.startsWith('.')),
    'application/octet-stream',
  ]);

  const uppy = new Uppy<ImportMeta, Body>({
    id: 'csv-upload',
    autoProceed: false,
    restrictions: { maxFileSize: config.maxFileSize, allowedFileTypes: extensions },
    onBeforeFileAdded(file, files) {
      // A wrong extension is left to the restrictions, whose message lists the accepted ones.
      const extensionAllowed = extensions.some((extension) => file.name?.toLowerCase().endsWith(extension));
      if (extensionAllowed && file.type && !mimeTypes.has(file.type.split(';')[0] ?? '')) {
        notify(`${file.name} is not a CSV file (${file.type}): upload ${extensions.join(', ')} files.`);
        return false;
      }
      const existing = files[file.id];
      if (!existing || existing.isGhost) return true; // new, or the re-selected file of a restored upload
      // The same file again after it was sent: a fresh entry, so it becomes a new upload.
      if (existing.progress.uploadComplete) return { ...file, tus: undefined, error: undefined };
      notify(`${file.name} is already in the queue.`);
      return false;
    },
    onBeforeUpload(files) {
      const problems = Object.values(files)
        .map(importMetaProblem)
        .filter((p): p is string => p !== null);
      if (problems.length > 0) {
        for (const problem of problems) notify(problem);
        return false;
      }
      const review = options.reviewWanted();
      return Object.fromEntries(
        Object.entries(files).map(([id, file]) => {
          // A resumed upload keeps what it was created with; the switch applies to new ones.
          const meta = review && !file.tus?.uploadUrl ? { ...file.meta, review: 'true' } : file.meta;
          const withMeta = { ...file, meta };
          return [id, { ...withMeta, tus: { ...file.tus, allowedMetaFields: allowedMetaFieldsFor(withMeta) } }];
        }),
      );
    },
  });

  uppy.use(Dashboard<ImportMeta, Body>, {
    inline: true,
    target: options.target,
    width: '100%',
    height: 440,
    // Progress details (bytes, speed, time left) are on unless hidden; the option replaces showProgressDetails.
    hideProgressDetails: false,
    showRemoveButtonAfterComplete: true,
    proudlyDisplayPoweredByUppy: false,
    metaFields: importMetaFields,
    note: `CSV, TSV or text files up to ${formatBytes(config.maxFileSize)}. Edit a file for import options.`,
  });
  uppy.use(Tus<ImportMeta, Body>, {
    endpoint: config.tusEndpoint,
    chunkSize: config.chunkSize,
    // Above 1, each file goes up as partial uploads joined by a final one (tus concatenation).
    parallelUploads: config.parallelUploads ?? 1,
    retryDelays: RETRY_DELAYS,
    // Forget the upload URL once done, so sending the same file again makes a new upload.
    removeFingerprintOnSuccess: true,
    // Browsers allow six connections per host; leave room for the import panel.
    limit: 3,
    headers: (): Record<string, string> => {
      const token = tokens.token;
      return token ? { Authorization: `Bearer ${token}` } : {};
    },
  });
  uppy.use(GoldenRetriever);

  const announced = new Set<string>();
  uppy.on('upload-progress', (file) => {
    const id = file && uploadIdOf(uppy.getFile(file.id)?.tus?.uploadUrl);
    if (id && !announced.has(id)) {
      announced.add(id);
      options.onUploadStarted(id);
    }
  });
  uppy.on('upload-success', (_file, response) => {
    const id = uploadIdOf(response.uploadURL);
    if (id) options.onUploadFinished(id);
  });
  uppy.on('restriction-failed', (_file, error) => {
    // Refusals by onBeforeFileAdded were already explained by notify().
    if ((error as { isUserFacing?: boolean }).isUserFacing !== false) notify(error.message);
  });
  uppy.on('upload-error', (file, error, response) => {
    if (response?.status === 401) api.refused();
    notify(`${file?.name ?? 'A file'} could not be uploaded: ${serviceMessage(error)}`);
  });
  // Files refused for a bad token go again with the new one.
  tokens.onChange(() => {
    if (uppy.getFiles().some((file: ImportFile) => file.error)) void uppy.retryAll();
  });
  return uppy;
}
