// The JSON shape of an upload and its job, as GET /api/uploads/:id and the
// event stream present it. Dates are ISO strings; counts are numbers.
import type { Job, JobProgress, Upload } from '../../db/schema.ts';
import { toNumber } from '../../db/schema.ts';
import type { StoredImportResult } from '../import/import-result.ts';
import { wantsReview } from '../review/review-hold.ts';

export interface JobView {
  state: Job['state'];
  attempts: number;
  maxAttempts: number;
  progress: JobProgress;
  /** The import's result once it succeeded (see ImportJobResult). */
  result: StoredImportResult | null;
  lastError: string | null;
  runAt: string;
}

export interface UploadView {
  id: string;
  filename: string;
  filetype: string | null;
  size: number | null;
  offset: number;
  state: Upload['state'];
  sha256: string | null;
  metadata: Record<string, string | null>;
  createdAt: string;
  finishedAt: string | null;
  /** Held for review (`review=true`): complete, no job until POST /api/uploads/:id/import. */
  awaitingReview: boolean;
  job: JobView | null;
}

function emptyProgress(upload: Upload): JobProgress {
  const total = toNumber(upload.size);
  return { bytesDone: 0, bytesTotal: total, rowsDone: 0, rowsRejected: 0, rate: 0, etaSeconds: null };
}

export function presentJob(job: Job, upload: Upload): JobView {
  return {
    state: job.state,
    attempts: job.attempts,
    maxAttempts: job.max_attempts,
    progress: job.progress ?? emptyProgress(upload),
    result: (job.result as StoredImportResult | null) ?? null,
    lastError: job.last_error,
    runAt: job.run_at.toISOString(),
  };
}

/** `liveOffset` is the store's byte count while uploading (the table lags behind it). */
export function presentUpload(upload: Upload, job: Job | undefined, liveOffset?: number): UploadView {
  return {
    id: upload.id,
    filename: upload.filename,
    filetype: upload.filetype,
    size: upload.size === null ? null : toNumber(upload.size),
    offset: liveOffset ?? toNumber(upload.offset),
    state: upload.state,
    sha256: upload.sha256,
    metadata: upload.metadata,
    createdAt: upload.created_at.toISOString(),
    finishedAt: upload.finished_at?.toISOString() ?? null,
    awaitingReview: upload.state === 'uploaded' && !job && wantsReview(upload.metadata),
    job: job ? presentJob(job, upload) : null,
  };
}
