// The upload store STORAGE names, for an API process: files in UPLOAD_DIR (a
// shared volume when scaled out) or objects in an S3 bucket.
import type { StorageConfig } from '../config/config.ts';
import { s3ClientConfig } from '../config/s3-client-config.ts';
import { UploadFileStore, type UploadFileStoreOptions } from './upload-file-store.ts';
import type { UploadStore } from './upload-store.ts';

export type UploadStoreHooks = Omit<UploadFileStoreOptions, 'directory'>;

export async function createUploadStore(
  storage: StorageConfig,
  uploadDir: string,
  hooks: UploadStoreHooks = {},
): Promise<UploadStore> {
  if (storage.kind === 'file') return new UploadFileStore({ directory: uploadDir, ...hooks });
  // Loaded only for S3: the AWS SDK would otherwise weigh on every file-mode process.
  const { UploadS3Store } = await import('./upload-s3-store.ts');
  // Concatenation (the only user of the locker and onConcatenated) is not offered on S3.
  return new UploadS3Store({
    bucket: storage.bucket,
    client: s3ClientConfig(storage),
    expirationPeriodInMilliseconds: hooks.expirationPeriodInMilliseconds,
    onTerminated: hooks.onTerminated,
    onBytesStored: hooks.onBytesStored,
  });
}
