// The upload store STORAGE names: files in UPLOAD_DIR (a shared volume when
// scaled out) or objects in an S3 bucket. API processes pass the tus hooks;
// a worker process needs only the stored bytes.
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import type { StorageConfig } from '../config/config.ts';
import { UploadFileStore, type UploadFileStoreOptions } from './upload-file-store.ts';
import { UploadS3Store } from './upload-s3-store.ts';
import type { UploadStore } from './upload-store.ts';

export type UploadStoreHooks = Omit<UploadFileStoreOptions, 'directory'>;

/** The AWS SDK's client settings; without credentials the SDK's default chain finds them. */
export function s3ClientConfig(storage: Extract<StorageConfig, { kind: 's3' }>): S3ClientConfig {
  return {
    region: storage.region,
    endpoint: storage.endpoint,
    forcePathStyle: storage.forcePathStyle,
    // A copy: the SDK marks the credentials it uses, and the configuration is frozen.
    credentials: storage.credentials ? { ...storage.credentials } : undefined,
  };
}

export function createUploadStore(
  storage: StorageConfig,
  uploadDir: string,
  hooks: UploadStoreHooks = {},
): UploadStore {
  if (storage.kind === 'file') return new UploadFileStore({ directory: uploadDir, ...hooks });
  // Concatenation (the only user of the locker and onConcatenated) is not offered on S3.
  return new UploadS3Store({
    bucket: storage.bucket,
    client: s3ClientConfig(storage),
    expirationPeriodInMilliseconds: hooks.expirationPeriodInMilliseconds,
    onTerminated: hooks.onTerminated,
    onBytesStored: hooks.onBytesStored,
  });
}
