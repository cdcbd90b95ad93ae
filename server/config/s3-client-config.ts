// The AWS SDK client settings STORAGE=s3 names, shared by the tus store and the
// import worker (a type-only import: the SDK itself is not loaded here).
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import type { StorageConfig } from './config.ts';

/** The client settings; without credentials the SDK's default chain finds them. */
export function s3ClientConfig(storage: Extract<StorageConfig, { kind: 's3' }>): S3ClientConfig {
  return {
    region: storage.region,
    endpoint: storage.endpoint,
    forcePathStyle: storage.forcePathStyle,
    // A copy: the SDK marks the credentials it uses, and the configuration is frozen.
    credentials: storage.credentials ? { ...storage.credentials } : undefined,
  };
}
