// One file's outcome, as the summary table and `--json` lines report it.
import * as tus from 'tus-js-client';
import type { UploadView } from '../../uploads/upload-view.ts';

export type FileStatus = 'imported' | 'uploaded' | 'awaiting-review' | 'upload-failed' | 'import-failed';

export interface FileResult {
  /** The path as given on the command line. */
  file: string;
  status: FileStatus;
  id: string | null;
  url: string | null;
  size: number;
  /** Bytes the server already had from an interrupted run. */
  resumedFrom: number;
  /** An interrupted run's upload was dropped because the file changed since. */
  restarted: boolean;
  /** The algorithm of the Upload-Checksum sent with every chunk; null: none (--no-checksum, or not offered). */
  checksum: string | null;
  rowsImported: number | null;
  rowsRejected: number | null;
  /** The table the rows landed in (`imports.customers_3f9a1c2b`), once imported. */
  table: string | null;
  /** Set when rows were rejected or the import failed. */
  errorReportUrl: string | null;
  /** Set for a file held for review (--review): where its preview is. */
  previewUrl: string | null;
  error: string | null;
  /** What looks wrong about an import that ran to the end, in the server's words (most rows rejected, one column…). */
  warnings: string[];
}

export const succeeded = (result: FileResult) =>
  result.status === 'imported' || result.status === 'uploaded' || result.status === 'awaiting-review';

/** What went wrong, in the server's words when it answered. */
export function describeUploadError(error: unknown): string {
  if (error instanceof tus.DetailedError && error.originalResponse) {
    const status = error.originalResponse.getStatus();
    const body = error.originalResponse.getBody() ?? '';
    try {
      const message = (JSON.parse(body) as { error?: { message?: string } }).error?.message;
      if (message) return `${message} (${status})`;
    } catch {}
    return `the server answered ${status}${body ? `: ${body.slice(0, 200)}` : ''}`;
  }
  if (error instanceof tus.DetailedError && error.causingError) return error.causingError.message;
  return error instanceof Error ? error.message : String(error);
}

/** Fills in the import's outcome from the upload's final state. */
export function importOutcome(server: string, upload: UploadView): Partial<FileResult> {
  const job = upload.job;
  const result = job?.result ?? {};
  const rowsImported = job?.state === 'succeeded' ? (result.rows ?? job.progress.rowsDone) : null;
  const rowsRejected = result.rowsRejected ?? job?.progress.rowsRejected ?? null;
  const ok = job?.state === 'succeeded';
  return {
    status: ok ? 'imported' : 'import-failed',
    rowsImported,
    rowsRejected,
    table: ok ? (result.destination?.qualifiedName ?? null) : null,
    errorReportUrl: !ok || (rowsRejected ?? 0) > 0 ? `${server}/api/uploads/${upload.id}/errors` : null,
    error: ok ? null : (job?.lastError ?? `import ${job?.state ?? 'not started'}`),
    warnings: ok ? (result.warnings ?? []).map((warning) => warning.message) : [],
  };
}
