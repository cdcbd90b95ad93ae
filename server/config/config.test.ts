import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      databaseUrl: undefined,
      maxFileSize: 3221225472,
      maxStorageBytes: 100 * 1024 ** 3,
      minFreeDiskBytes: 1024 * 1024 ** 2,
      chunkSize: 52428800,
      uploadExpiryMs: 24 * 3_600_000,
      retentionMs: 168 * 3_600_000,
      cleanupIntervalMs: 3_600_000,
      workerConcurrency: 2,
      jobMaxAttempts: 5,
      logLevel: 'info',
      trustProxy: false,
      workerMetricsPort: null,
    });
    expect(config.dataDir).toMatch(/\/data$/);
    expect(config.uploadDir).toBe(`${config.dataDir}/uploads`);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      HOST: '0.0.0.0',
      PORT: '8080',
      DATA_DIR: '/srv/csv',
      DATABASE_URL: 'postgres://u@db/app',
      UPLOAD_DIR: '/mnt/shared',
      MAX_FILE_SIZE: '1000',
      MAX_STORAGE_GB: '0.5',
      MIN_FREE_DISK_MB: '10',
      CHUNK_SIZE: '1048576',
      UPLOAD_EXPIRY_HOURS: '2',
      RETENTION_HOURS: '1.5',
      CLEANUP_INTERVAL: '60000',
      WORKER_CONCURRENCY: '0',
      JOB_MAX_ATTEMPTS: '3',
      AUTH_TOKENS: 'alice:0123456789abcdef0123,bob:fedcba9876543210fedc',
      LOG_LEVEL: 'debug',
      TRUST_PROXY: 'true',
      WORKER_METRICS_PORT: '9464',
    });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      dataDir: '/srv/csv',
      databaseUrl: 'postgres://u@db/app',
      uploadDir: '/mnt/shared',
      maxFileSize: 1000,
      maxStorageBytes: 512 * 1024 ** 2,
      minFreeDiskBytes: 10 * 1024 ** 2,
      chunkSize: 1048576,
      uploadExpiryMs: 7_200_000,
      retentionMs: 5_400_000,
      cleanupIntervalMs: 60_000,
      workerConcurrency: 0,
      jobMaxAttempts: 3,
      logLevel: 'debug',
      trustProxy: true,
      workerMetricsPort: 9464,
    });
    expect(config.authTokens).toEqual([
      { owner: 'alice', token: '0123456789abcdef0123' },
      { owner: 'bob', token: 'fedcba9876543210fedc' },
    ]);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['MAX_FILE_SIZE', '-1'],
    ['MAX_FILE_SIZE', '1e9'],
    ['MAX_FILE_SIZE', '0x10'],
    ['MAX_FILE_SIZE', '0'],
    ['MAX_STORAGE_GB', 'lots'],
    ['WORKER_CONCURRENCY', '1.5'],
    ['TRUST_PROXY', 'maybe'],
    ['LOG_LEVEL', 'loud'],
    ['DATABASE_URL', 'mysql://x'],
    ['AUTH_TOKENS', 'no-colon'],
    ['AUTH_TOKENS', 'alice:short'],
    ['CHUNK_SIZE', '10'],
    ['WORKER_METRICS_PORT', '65536'],
  ])('refuses %s=%s with an error naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^Invalid configuration: ${name} `));
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: ' ' })).toMatchObject({ port: 3000, databaseUrl: undefined });
  });

  it('stores uploads in files unless STORAGE=s3', () => {
    expect(loadConfig({}).storage).toEqual({ kind: 'file' });
    expect(loadConfig({ STORAGE: 'file', S3_BUCKET: 'ignored' }).storage).toEqual({ kind: 'file' });
  });

  it('reads the S3 settings, with the SDK credential chain when no keys are given', () => {
    expect(loadConfig({ STORAGE: 's3', S3_BUCKET: 'uploads' }).storage).toEqual({
      kind: 's3',
      bucket: 'uploads',
      endpoint: undefined,
      region: 'us-east-1',
      credentials: undefined,
      forcePathStyle: false,
    });
    const storage = loadConfig({
      STORAGE: 's3',
      S3_BUCKET: 'uploads',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      S3_REGION: 'eu-west-3',
      S3_ACCESS_KEY_ID: 'key-id',
      S3_SECRET_ACCESS_KEY: 'secret',
      S3_FORCE_PATH_STYLE: 'true',
    }).storage;
    expect(storage).toEqual({
      kind: 's3',
      bucket: 'uploads',
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-west-3',
      credentials: { accessKeyId: 'key-id', secretAccessKey: 'secret' },
      forcePathStyle: true,
    });
  });

  it.each([
    ['S3_BUCKET', {}],
    ['S3_SECRET_ACCESS_KEY', { S3_BUCKET: 'b', S3_ACCESS_KEY_ID: 'id' }],
    ['S3_ACCESS_KEY_ID', { S3_BUCKET: 'b', S3_SECRET_ACCESS_KEY: 'secret' }],
    ['S3_ENDPOINT', { S3_BUCKET: 'b', S3_ENDPOINT: 'minio:9000' }],
    ['S3_FORCE_PATH_STYLE', { S3_BUCKET: 'b', S3_FORCE_PATH_STYLE: 'sometimes' }],
  ])('refuses STORAGE=s3 with a bad or missing %s', (name, env) => {
    expect(() => loadConfig({ STORAGE: 's3', ...env })).toThrow(new RegExp(`^Invalid configuration: ${name} `));
  });

  it('refuses an unknown STORAGE', () => {
    expect(() => loadConfig({ STORAGE: 'ftp' })).toThrow(/^Invalid configuration: STORAGE must be one of file, s3/);
  });

  it('reads the import schema and the allowed import targets, and refuses names that are not tables', () => {
    expect(loadConfig({})).toMatchObject({ importSchema: 'imports', importTargets: [] });
    expect(loadConfig({ IMPORT_SCHEMA: 'csv_rows', IMPORT_TARGETS: 'public.customers, orders' })).toMatchObject({
      importSchema: 'csv_rows',
      importTargets: [
        { schema: 'public', table: 'customers' },
        { schema: 'public', table: 'orders' },
      ],
    });
    expect(() => loadConfig({ IMPORT_TARGETS: 'public.customers;drop' })).toThrow(
      /^Invalid configuration: IMPORT_TARGETS /,
    );
    expect(() => loadConfig({ IMPORT_SCHEMA: 'a.b' })).toThrow(/^Invalid configuration: IMPORT_SCHEMA /);
  });
});
