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
import { freeDiskBytes } from '../uploads/disk-space.ts';
import { hasAllowedExtension, isAllowedMimeType } from '../uploads/file-types.ts';
import { finishUpload } from '../uploads/finish-upload.ts';
import { registerUpload, reservedStorageBytes } from '../uploads/upload-repository.ts';
import { requestContext } from './request-context.ts';

export interface TusHookOptions {
  db: Kysely<Database>;
  jobSignal: JobSignal;
  logger: Logger;
  uploadDir: string;
  maxFileSize: number;
  maxStorageBytes: number;
  minFreeDiskBytes: number;
  jobMaxAttempts: number;
  metrics: ServiceMetrics;
}

const MAX_FILENAME_LENGTH = 255;
const MAX_METADATA_VALUE_LENGTH = 64 * 1024;

/** Refuses what the service cannot or will not import, before a byte is stored. */
function validateMetadata(metadata: Record<string, string | null>): { filename: string; filetype: string | null } {
  const filename = metadata.filename?.trim();
  if (!filename) throw appError('invalid_metadata', 'Upload-Metadata must include a non-empty "filename"');
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

/** Refuses an upload the disk or the storage budget cannot hold (507). */
async function checkCapacity(options: TusHookOptions, declaredSize: number): Promise<void> {
  const free = await freeDiskBytes(options.uploadDir);
  if (free - declaredSize < options.minFreeDiskBytes) {
    throw appError('insufficient_storage', 'The server is low on disk space; try again later');
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
      const { owner } = requestContext(request);
      const metadata = upload.metadata ?? {};
      const { filename, filetype } = validateMetadata(metadata);
      await checkCapacity(options, upload.size ?? options.maxFileSize);
      await registerUpload(options.db, {
        id: upload.id,
        owner,
        filename,
        filetype,
        size: upload.size ?? null,
        state: 'uploading',
        metadata: JSON.stringify(metadata),
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

  /** Last byte stored: marks the upload `uploaded` and queues its import, once. Must return an object. */
  async function onUploadFinish(request: unknown, upload: TusUpload): Promise<Record<string, never>> {
    try {
      const size = upload.size ?? upload.offset;
      const { requestId } = requestContext(request);
      const finished = await finishUpload(
        options.db,
        options.jobSignal,
        upload.id,
        size,
        options.jobMaxAttempts,
        requestId,
      );
      if (finished.jobId !== null) {
        options.metrics.uploadsFinished.inc();
        options.metrics.uploadSize.observe(size);
        if (finished.createdAt)
          options.metrics.uploadDuration.observe((Date.now() - finished.createdAt.getTime()) / 1000);
      }
      options.logger.info({ uploadId: upload.id, size, jobId: finished.jobId, reqId: requestId }, 'upload finished');
      return {};
    } catch (error) {
      // The bytes are safe on disk; the reconciliation pass will queue the job.
      options.logger.error({ err: error, uploadId: upload.id }, 'recording a finished upload failed');
      throw toTusError(error);
    }
  }

  return { onUploadCreate, onUploadFinish };
}
