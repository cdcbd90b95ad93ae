// The job handler of an import: streams the upload's file through the CSV
// importer into the database the service runs on, from the job's checkpoint.
import type { DatabaseHandle } from '../../db/client.ts';
import type { Job } from '../../db/schema.ts';
import { createEmbeddedBatchSink } from '../import/embedded-batch-sink.ts';
import { importCsvFile } from '../import/import-csv-file.ts';
import { importSettingsFromMetadata } from '../import/import-settings.ts';
import type { ImportSource } from '../import/import-source.ts';
import { createPostgresBatchSink } from '../import/postgres-batch-sink.ts';
import type { CompletedImport } from './complete-job.ts';
import type { JobContext, JobHandler } from './worker.ts';

export interface ImportJobHandlerOptions {
  database: DatabaseHandle;
  /** The stored bytes of an upload: its file on the shared volume, or its object in S3. */
  uploadSource(uploadId: string): ImportSource;
  leaseMs: number;
}

export function createImportJobHandler(options: ImportJobHandlerOptions): JobHandler {
  const { database } = options;
  return async function importUpload(job: Job, context: JobContext): Promise<CompletedImport> {
    const uploadId = job.upload_id;
    const jobId = Number(job.id);
    const sink =
      database.kind === 'postgres'
        ? createPostgresBatchSink({
            pool: database.pool,
            uploadId,
            jobId,
            workerId: context.workerId,
            leaseMs: options.leaseMs,
          })
        : createEmbeddedBatchSink({
            db: database.db,
            pglite: database.pglite,
            uploadId,
            jobId,
            workerId: context.workerId,
            leaseMs: options.leaseMs,
          });
    const upload = await database.db
      .selectFrom('uploads')
      .select('metadata')
      .where('id', '=', uploadId)
      .executeTakeFirst();
    // A bad delimiter, encoding or mapping throws a permanent ImportFileError: the job fails at once.
    const settings = importSettingsFromMetadata(upload?.metadata ?? {});
    const { sha256, ...summary } = await importCsvFile(
      {
        uploadId,
        source: options.uploadSource(uploadId),
        checkpoint: job.checkpoint ?? null,
        settings,
        signal: context.signal,
      },
      sink,
    );
    return {
      sha256,
      result: { ...summary, resumedFromRecord: job.checkpoint?.recordNumber ?? 0 },
    };
  };
}
