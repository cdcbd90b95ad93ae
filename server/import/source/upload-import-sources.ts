// Where a worker process reads an upload's bytes, by STORAGE: the file on the
// (shared) upload volume, or the object in S3. A worker needs nothing else of
// the tus store, so it does not load it: the AWS SDK is imported only in S3
// mode, where it is needed (it would otherwise be most of an idle worker's memory).
import { join } from 'node:path';
import type { StorageConfig } from '../../config/config.ts';
import { fileImportSource, type ImportSource } from './import-source.ts';

export type UploadImportSources = (uploadId: string) => ImportSource;

export async function uploadImportSources(storage: StorageConfig, uploadDir: string): Promise<UploadImportSources> {
  if (storage.kind === 'file') return (id) => fileImportSource(join(uploadDir, id));
  const [sdk, { s3ImportSource }, { s3ClientConfig }] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('./s3-import-source.ts'),
    import('../../config/s3-client-config.ts'),
  ]);
  const client = new sdk.S3Client(s3ClientConfig(storage));
  return (id) => s3ImportSource(sdk, client, storage.bucket, id);
}
