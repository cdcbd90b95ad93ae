// The job handler of an import: streams the upload's file through the CSV
// importer into its destination table, from the job's checkpoint.
import type { DatabaseHandle } from '../../db/client.ts';
import type { Job } from '../../db/schema.ts';
import {
  type DestinationConfig,
  finishDestination,
  requestDestination,
} from '../import/destination/import-destination.ts';
import { importCsvFile } from '../import/import-csv-file.ts';
import { ImportFileError } from '../import/import-errors.ts';
import type { ImportJobResult } from '../import/import-result.ts';
import { importSettingsFromMetadata } from '../import/import-settings.ts';
import { createBatchSink } from '../import/sink/create-batch-sink.ts';
import type { ImportSource } from '../import/source/import-source.ts';
import type { CompletedImport } from './complete-job.ts';
import type { JobContext, JobHandler } from './worker.ts';

export interface ImportJobHandlerOptions {
  database: DatabaseHandle;
  /** The stored bytes of an upload: its file on the shared volume, or its object in S3. */
  uploadSource(uploadId: string): ImportSource;
  leaseMs: number;
  /** IMPORT_SCHEMA and IMPORT_TARGETS (default: schema `imports`, no existing tables). */
  destinations?: DestinationConfig;
}

const DEFAULT_DESTINATIONS: DestinationConfig = { schema: 'imports', allowedTargets: [] };

export function createImportJobHandler(options: ImportJobHandlerOptions): JobHandler {
  const { database } = options;
  return async function importUpload(job: Job, context: JobContext): Promise<CompletedImport> {
    const uploadId = job.upload_id;
    const found = await database.db
      .selectFrom('uploads')
      .select(['metadata', 'filename'])
      .where('id', '=', uploadId)
      .executeTakeFirst();
    if (!found) throw new ImportFileError('The upload no longer exists', { code: 'ENOENT' });
    const upload = { id: uploadId, filename: found.filename };
    // A bad delimiter, encoding, mapping or target throws a permanent ImportFileError: the job fails at once.
    const settings = importSettingsFromMetadata(found.metadata ?? {});
    const destination = await requestDestination(
      database.db,
      settings,
      upload,
      options.destinations ?? DEFAULT_DESTINATIONS,
    );
    const sink = createBatchSink(database, {
      uploadId,
      jobId: Number(job.id),
      workerId: context.workerId,
      leaseMs: options.leaseMs,
      destination,
    });
    const { sha256, storedColumns, ...summary } = await importCsvFile(
      {
        uploadId,
        source: options.uploadSource(uploadId),
        checkpoint: job.checkpoint ?? null,
        settings,
        signal: context.signal,
      },
      sink,
    );
    const table = await finishDestination(database.db, destination, storedColumns, upload);
    const result: ImportJobResult = {
      ...summary,
      destination: table,
      resumedFromRecord: job.checkpoint?.recordNumber ?? 0,
    };
    return { sha256, result: { ...result } };
  };
}
