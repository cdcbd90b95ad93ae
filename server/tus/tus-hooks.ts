// The tus lifecycle hooks: what happens when an upload is created and when its
// last byte arrives. Errors thrown here become `{ status_code, body }` replies.
import type { Upload as TusUpload } from '@tus/utils';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../../db/schema.ts';
import { AppError, appError, toTusError } from '../errors.ts';
import { importSettingsFromMetadata } from '../import/import-settings.ts';
import type { ServiceMetrics } from '../metrics/service-metrics.ts';
import type { JobSignal } from '../queue/job-signal.ts';
import { checkReviewMetadata } from '../review/review-hold.ts';
import { freeDiskBytes } from '../uploads/disk-space.ts';
import { hasAllowedExtension, isAllowedMimeType } from '../uploads/file-types.ts';
import { finishUpload } from '../uploads/finish-upload.ts';
import {
  countUnfinishedUploads,
  findUpload,
  markUploadFinished,
  ownerReservedStorageBytes,
  registerUpload,
  reservedStorageBytes,
} from '../uploads/upload-repository.ts';
import { currentRequestContext, requestContext } from './request-context.ts';

export interface TusHookOptions {
  db: Kysely<Database>;
  jobSignal: JobSignal;
  logger: Logger;
  uploadDir: string;
  maxFileSize: number;
  maxStorageBytes: number;
  minFreeDiskBytes: number;
  /** Refuse uploads the upload disk cannot hold (MIN_FREE_DISK_MB); off with S3 storage. Default true. */
  checkFreeDisk?: boolean;
  jobMaxAttempts: number;
  metrics: ServiceMetrics;
  /** Per-owner limits (OWNER_QUOTA_GB, MAX_UNFINISHED_UPLOADS_PER_OWNER). */
  ownerQuotaBytes: number | null;
  maxUnfinishedUploadsPerOwner: number;
}

const MAX_FILENAME_LENGTH = 255;
const MAX_METADATA_VALUE_LENGTH = 64 * 1024;

/** Control characters (C0 and DEL) or path separators. */
function hasUnsafeCharacter(text: string): boolean {
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (code < 0x20 || code === 0x7f || char === '/' || char === '\\') return true;
  }
  return false;
}

/** Metadata values may be binary; PostgreSQL jsonb refuses NUL characters, so they become U+FFFD. */
function storableMetadata(metadata: Record<string, string | null>): Record<string, string | null> {
  return Object.fromEntries(
    Object.entries(metadata).map(([key, value]) => [key, value?.replaceAll('\0', '\uFFFD') ?? null]),
  );
}

/** Refuses what the service cannot or will not import, before a byte is stored. */
function validateMetadata(metadata: Record<string, string | null>): { filename: string; filetype: string | null } {
  const filename = metadata.filename?.trim();
  if (!filename) throw appError('invalid_metadata', 'Upload-Metadata must include a non-empty "filename"');
  // Echoed in Content-Disposition and shown in the UI: no control characters or path separators.
  if (hasUnsafeCharacter(filename)) {
    throw appError('invalid_metadata', '"filename" must not contain control characters or slashes');
  }
  if (filename.length > MAX_FILENAME_LENGTH) {
    throw appError('invalid_metadata', `"filename" is longer than ${MAX_FILENAME_LENGTH} characters`);
  }
  for (const [key, value] of Object.entries(metadata)) {
    if (value && value.length > MAX_METADATA_VALUE_LENGTH) {
      throw appError('invalid_metadata', `Metadata "${key}" is longer than ${MAX_METADATA_VALUE_LENGTH} characters`);
    }
  }
  try {
    // The import's own options (delimiter, encoding, header, mapping, error policy):
    // a bad one is refused now with 400 rather than failing the job after the upload.
    importSettingsFromMetadata(metadata);
    checkReviewMetadata(metadata);
  } catch (error) {
    throw appError('invalid_metadata', error instanceof Error ? error.message : String(error));
  }
  const filetype = metadata.filetype?.trim() || null;
  if (!hasAllowedExtension(filename) || (filetype !== null && !isAllowedMimeType(filetype))) {
    throw appError(
      'unsupported_file_type',
      `"${filename}"${filetype ? ` (${filetype})` : ''} is not a CSV file: upload .csv, .tsv or .txt files`,
    );
  }
  return { filename, filetype };
}

/** Refuses an upload the owner's limits do not allow: quota (413), unfinished uploads (429). */
async function checkOwnerLimits(options: TusHookOptions, owner: string, declaredSize: number): Promise<void> {
  if ((await countUnfinishedUploads(options.db, owner)) >= options.maxUnfinishedUploadsPerOwner) {
    throw appError(
      'too_many_uploads',
      `You have ${options.maxUnfinishedUploadsPerOwner} unfinished uploads: finish or delete some before starting another`,
    );
  }
  if (options.ownerQuotaBytes === null) return;
  const reserved = await ownerReservedStorageBytes(options.db, owner, options.maxFileSize);
  if (reserved + declaredSize > options.ownerQuotaBytes) {
    throw appError(
      'quota_exceeded',
      `This upload would exceed your storage quota of ${options.ownerQuotaBytes} bytes (${reserved} in use): delete older uploads first`,
    );
  }
}

/** Refuses an upload the disk or the storage budget cannot hold (507). */
async function checkCapacity(options: TusHookOptions, declaredSize: number): Promise<void> {
  if (options.checkFreeDisk !== false) {
    const free = await freeDiskBytes(options.uploadDir);
    if (free - declaredSize < options.minFreeDiskBytes) {
      throw appError('insufficient_storage', 'The server is low on disk space; try again later');
    }
  }
  const reserved = await reservedStorageBytes(options.db, options.maxFileSize);
  if (reserved + declaredSize > options.maxStorageBytes) {
    throw appError(
      'storage_full',
      'The service has reached its storage limit; try again once older files are cleaned up',
    );
  }
}

export function createTusHooks(options: TusHookOptions) {
  /** POST: validates the file and registers it as `uploading` for its owner. */
  async function onUploadCreate(request: unknown, upload: TusUpload): Promise<{ metadata?: TusUpload['metadata'] }> {
    try {
      const { owner, concat } = requestContext(request);
      const metadata = upload.metadata ?? {};
      // A partial upload is a piece of a file: its name and import options come with the final upload.
      const { filename, filetype } =
        concat?.kind === 'partial' ? { filename: 'partial', filetype: null } : validateMetadata(metadata);
      await checkOwnerLimits(options, owner, upload.size ?? options.maxFileSize);
      await checkCapacity(options, upload.size ?? options.maxFileSize);
      await registerUpload(options.db, {
        id: upload.id,
        owner,
        filename,
        filetype,
        size: upload.size ?? null,
        state: 'uploading',
        metadata: JSON.stringify(storableMetadata(metadata)),
        concat_role: concat?.kind ?? null,
      });
      options.metrics.uploadsCreated.inc();
      options.logger.info({ uploadId: upload.id, owner, size: upload.size }, 'upload created');
      return {};
    } catch (error) {
      if (!(error instanceof AppError))
        options.logger.error({ err: error, uploadId: upload.id }, 'upload creation failed');
      throw toTusError(error);
    }
  }

  /** Marks an upload `uploaded` and queues its import, once; a partial upload is only marked. */
  async function recordFinished(uploadId: string, size: number, requestId: string): Promise<void> {
    if ((await findUpload(options.db, uploadId))?.concat_role === 'partial') {
      // Partials are imported as part of their final upload, never on their own.
      await markUploadFinished(options.db, uploadId, size);
      options.logger.info({ uploadId, size, reqId: requestId }, 'partial upload finished');
      return;
    }
    const finished = await finishUpload(
      options.db,
      options.jobSignal,
      uploadId,
      size,
      options.jobMaxAttempts,
      requestId,
    );
    if (finished.jobId !== null || finished.held) {
      options.metrics.uploadsFinished.inc();
      options.metrics.uploadSize.observe(size);
      if (finished.createdAt)
        options.metrics.uploadDuration.observe((Date.now() - finished.createdAt.getTime()) / 1000);
    }
    options.logger.info(
      { uploadId, size, jobId: finished.jobId, held: finished.held, reqId: requestId },
      finished.held ? 'upload finished, held for review' : 'upload finished',
    );
  }

  /** Last byte stored: records it (see recordFinished). Must return an object. */
  async function onUploadFinish(request: unknown, upload: TusUpload): Promise<Record<string, never>> {
    try {
      await recordFinished(upload.id, upload.size ?? upload.offset, requestContext(request).requestId);
      return {};
    } catch (error) {
      // The bytes are safe on disk; the reconciliation pass will queue the job.
      options.logger.error({ err: error, uploadId: upload.id }, 'recording a finished upload failed');
      throw toTusError(error);
    }
  }

  /** A final upload (concatenation) was assembled during its POST: it is finished like any upload. */
  async function onFinalAssembled(finalId: string, size: number): Promise<void> {
    await recordFinished(finalId, size, currentRequestContext()?.requestId ?? 'unknown');
  }

  return { onUploadCreate, onUploadFinish, onFinalAssembled };
}

export type TusHooks = ReturnType<typeof createTusHooks>;
