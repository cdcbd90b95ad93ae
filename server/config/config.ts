// The service's configuration: read once from the environment at start-up,
// validated, frozen and passed in. No module reads process.env on its own.
import { resolve } from 'node:path';
import { parseTableName, type TableName } from '../import/destination/import-target.ts';
import {
  ConfigError,
  type Env,
  readBoolean,
  readChoice,
  readDecimal,
  readInteger,
  readOptionalString,
  readString,
} from './parse-env.ts';

export { ConfigError };

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where tus keeps uploads: a directory (a shared volume when scaled out) or an S3 bucket. */
export type StorageConfig =
  | { kind: 'file' }
  | {
      kind: 's3';
      bucket: string;
      /** An S3-compatible server's URL; undefined = AWS for `region`. */
      endpoint: string | undefined;
      region: string;
      /** Both or neither; neither = the AWS SDK's default credential chain (env, profile, instance role). */
      credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
      /** Bucket in the path (`endpoint/bucket/key`) rather than the host name: most S3-compatible servers need it. */
      forcePathStyle: boolean;
    };

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** postgres://… or undefined for the embedded database in `dataDir/db`. */
  databaseUrl: string | undefined;
  uploadDir: string;
  storage: StorageConfig;
  maxFileSize: number;
  maxStorageBytes: number;
  minFreeDiskBytes: number;
  chunkSize: number;
  uploadExpiryMs: number;
  retentionMs: number;
  cleanupIntervalMs: number;
  workerConcurrency: number;
  jobMaxAttempts: number;
  /** A running job's lease; a worker that stops heartbeating loses the job after this. */
  jobLeaseMs: number;
  /** Schema of the tables created for imports (IMPORT_SCHEMA). */
  importSchema: string;
  /** Existing tables a mapping's `target` may append to (IMPORT_TARGETS); none by default. */
  importTargets: readonly TableName[];
  /** First retry delay; each further attempt doubles it (with jitter). */
  jobRetryDelayMs: number;
  /** Polling fallback between wake-ups by notification. */
  jobPollIntervalMs: number;
  /** /readyz fails when the oldest due job has waited longer than this. */
  readyMaxQueueLagMs: number;
  /** On SIGTERM, in-flight requests get this long before their connections are closed. */
  shutdownGraceMs: number;
  authTokens: ReadonlyArray<{ owner: string; token: string }>;
  logLevel: LogLevel;
  trustProxy: boolean;
  /** Secret mixed into token hashes; set it in production so a leaked table is useless. */
  tokenPepper: string;
  /** Declared bytes one owner may hold (unfinished uploads count their declared length); null = no limit. */
  ownerQuotaBytes: number | null;
  /** Unfinished uploads one owner may have at once; the next creation gets 429. */
  maxUnfinishedUploadsPerOwner: number;
  /** Requests per minute per token (or per IP without one) on /api; 0 = off. */
  apiRateLimitPerMinute: number;
  /** Upload creations (tus POST) per minute per token (or per IP); 0 = off. */
  uploadRateLimitPerMinute: number;
  /** A connection that sends nothing for this long is closed (slowloris, stalled bodies). */
  idleTimeoutMs: number;
  /** Request headers must arrive within this time. */
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** Origins allowed to call the API and tus from a browser on another site; empty = same origin only. */
  corsOrigins: readonly string[];
  /** GET /files/:id serves the owner their raw upload; false answers 404. */
  allowDownloads: boolean;
  /** Parallel tus requests per file the web UI uses (concatenation); 1 = one stream, resumable across sessions. */
  webParallelUploads: number;
  /** A tus request waits this long for its upload's lock (held by another request) before 503. */
  tusLockTimeoutMs: number;
  /** Connections each API process keeps for held upload locks, apart from the query pool (PostgreSQL). */
  tusLockConnections: number;
  /** Followers try to take over the maintenance duty this often; the leader checks its connection as often. */
  leaderElectionIntervalMs: number;
  /** `pnpm worker` serves its /metrics on this port (on HOST); null = no listener, 0 = any free port. */
  workerMetricsPort: number | null;
}

function parseOrigins(text: string | undefined): readonly string[] {
  if (!text) return [];
  return text.split(',').map((origin) => {
    const trimmed = origin.trim();
    if (!/^https?:\/\/[^/\s]+$/.test(trimmed)) {
      throw new ConfigError(
        'CORS_ORIGINS',
        `must be a comma-separated list of origins like https://example.com, got "${trimmed}"`,
      );
    }
    return trimmed;
  });
}

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const HOUR = 3_600_000;

function parseAuthTokens(text: string | undefined): Config['authTokens'] {
  if (!text) return [];
  return text.split(',').map((pair) => {
    const separator = pair.indexOf(':');
    const owner = pair.slice(0, separator).trim();
    const token = pair.slice(separator + 1).trim();
    if (separator <= 0 || !owner || token.length < 16) {
      throw new ConfigError(
        'AUTH_TOKENS',
        'must be a comma-separated list of owner:token with tokens of 16+ characters',
      );
    }
    return { owner, token };
  });
}

function parseImportSchema(text: string): string {
  const name = parseTableName(`${text}.t`);
  if (!name || name.schema !== text.trim())
    throw new ConfigError('IMPORT_SCHEMA', `must be a plain schema name, got "${text}"`);
  return name.schema;
}

function parseImportTargets(text: string | undefined): TableName[] {
  if (!text) return [];
  return text.split(',').map((entry) => {
    const name = parseTableName(entry);
    if (!name)
      throw new ConfigError('IMPORT_TARGETS', `must be a comma-separated list of schema.table, got "${entry.trim()}"`);
    return name;
  });
}

function parseDatabaseUrl(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!/^postgres(ql)?:\/\//.test(text)) {
    throw new ConfigError('DATABASE_URL', 'must start with postgres:// or postgresql://');
  }
  return text;
}

const STORAGE_KINDS = ['file', 's3'] as const;

function parseStorage(env: Env): Readonly<StorageConfig> {
  if (readChoice(env, 'STORAGE', 'file', STORAGE_KINDS) === 'file') return { kind: 'file' };
  const bucket = readOptionalString(env, 'S3_BUCKET');
  if (!bucket) throw new ConfigError('S3_BUCKET', 'must be set when STORAGE=s3');
  const endpoint = readOptionalString(env, 'S3_ENDPOINT');
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint)) {
    throw new ConfigError('S3_ENDPOINT', `must be an http:// or https:// URL, got "${endpoint}"`);
  }
  const accessKeyId = readOptionalString(env, 'S3_ACCESS_KEY_ID');
  const secretAccessKey = readOptionalString(env, 'S3_SECRET_ACCESS_KEY');
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    const missing = accessKeyId === undefined ? 'S3_ACCESS_KEY_ID' : 'S3_SECRET_ACCESS_KEY';
    throw new ConfigError(missing, 'must be set together with the other S3 key (or leave both unset)');
  }
  return Object.freeze({
    kind: 's3',
    bucket,
    endpoint,
    region: readString(env, 'S3_REGION', 'us-east-1'),
    credentials: accessKeyId && secretAccessKey ? Object.freeze({ accessKeyId, secretAccessKey }) : undefined,
    forcePathStyle: readBoolean(env, 'S3_FORCE_PATH_STYLE', false),
  });
}

export function loadConfig(env: Env = process.env): Readonly<Config> {
  const dataDir = resolve(readString(env, 'DATA_DIR', './data'));
  const config: Config = {
    host: readString(env, 'HOST', '127.0.0.1'),
    port: readInteger(env, 'PORT', 3000, { min: 0, max: 65535 }),
    dataDir,
    databaseUrl: parseDatabaseUrl(readOptionalString(env, 'DATABASE_URL')),
    uploadDir: resolve(readString(env, 'UPLOAD_DIR', `${dataDir}/uploads`)),
    storage: parseStorage(env),
    maxFileSize: readInteger(env, 'MAX_FILE_SIZE', 3 * GiB, { min: 1 }),
    maxStorageBytes: Math.floor(readDecimal(env, 'MAX_STORAGE_GB', 100, { min: 0 }) * GiB),
    minFreeDiskBytes: readInteger(env, 'MIN_FREE_DISK_MB', 1024, { min: 0 }) * MiB,
    chunkSize: readInteger(env, 'CHUNK_SIZE', 50 * MiB, { min: 64 * 1024 }),
    uploadExpiryMs: readDecimal(env, 'UPLOAD_EXPIRY_HOURS', 24, { min: 0 }) * HOUR,
    retentionMs: readDecimal(env, 'RETENTION_HOURS', 168, { min: 0 }) * HOUR,
    cleanupIntervalMs: readInteger(env, 'CLEANUP_INTERVAL', HOUR, { min: 1000 }),
    workerConcurrency: readInteger(env, 'WORKER_CONCURRENCY', 2, { min: 0, max: 64 }),
    jobMaxAttempts: readInteger(env, 'JOB_MAX_ATTEMPTS', 5, { min: 1, max: 100 }),
    jobLeaseMs: readInteger(env, 'JOB_LEASE_MS', 30_000, { min: 1000 }),
    importSchema: parseImportSchema(readString(env, 'IMPORT_SCHEMA', 'imports')),
    importTargets: parseImportTargets(readOptionalString(env, 'IMPORT_TARGETS')),
    jobRetryDelayMs: readInteger(env, 'JOB_RETRY_DELAY_MS', 2000, { min: 0 }),
    jobPollIntervalMs: readInteger(env, 'JOB_POLL_INTERVAL_MS', 2000, { min: 50 }),
    readyMaxQueueLagMs: readInteger(env, 'READY_MAX_QUEUE_LAG_SECONDS', 900, { min: 1 }) * 1000,
    shutdownGraceMs: readInteger(env, 'SHUTDOWN_GRACE_MS', 10_000, { min: 0 }),
    authTokens: parseAuthTokens(readOptionalString(env, 'AUTH_TOKENS')),
    logLevel: readChoice(env, 'LOG_LEVEL', 'info', LOG_LEVELS),
    trustProxy: readBoolean(env, 'TRUST_PROXY', false),
    tokenPepper: readString(env, 'TOKEN_PEPPER', 'csv-upload-service'),
    ownerQuotaBytes: readOptionalString(env, 'OWNER_QUOTA_GB')
      ? Math.floor(readDecimal(env, 'OWNER_QUOTA_GB', 0, { min: 0 }) * GiB)
      : null,
    maxUnfinishedUploadsPerOwner: readInteger(env, 'MAX_UNFINISHED_UPLOADS_PER_OWNER', 100, { min: 1 }),
    apiRateLimitPerMinute: readInteger(env, 'RATE_LIMIT_API_PER_MINUTE', 1200, { min: 0 }),
    uploadRateLimitPerMinute: readInteger(env, 'RATE_LIMIT_UPLOADS_PER_MINUTE', 120, { min: 0 }),
    idleTimeoutMs: readInteger(env, 'IDLE_TIMEOUT_MS', 60_000, { min: 1000 }),
    headersTimeoutMs: readInteger(env, 'HEADERS_TIMEOUT_MS', 15_000, { min: 1000 }),
    keepAliveTimeoutMs: readInteger(env, 'KEEP_ALIVE_TIMEOUT_MS', 5_000, { min: 1000 }),
    corsOrigins: parseOrigins(readOptionalString(env, 'CORS_ORIGINS')),
    allowDownloads: readBoolean(env, 'ALLOW_DOWNLOADS', true),
    webParallelUploads: readInteger(env, 'WEB_PARALLEL_UPLOADS', 1, { min: 1, max: 16 }),
    tusLockTimeoutMs: readInteger(env, 'TUS_LOCK_TIMEOUT_MS', 10_000, { min: 100 }),
    tusLockConnections: readInteger(env, 'TUS_LOCK_CONNECTIONS', 20, { min: 1, max: 1000 }),
    leaderElectionIntervalMs: readInteger(env, 'LEADER_ELECTION_INTERVAL_MS', 5000, { min: 100 }),
    workerMetricsPort: readOptionalString(env, 'WORKER_METRICS_PORT')
      ? readInteger(env, 'WORKER_METRICS_PORT', 0, { min: 0, max: 65535 })
      : null,
  };
  return Object.freeze({
    ...config,
    authTokens: Object.freeze(config.authTokens.map((t) => Object.freeze(t))),
    corsOrigins: Object.freeze([...config.corsOrigins]),
    importTargets: Object.freeze(config.importTargets.map((t) => Object.freeze(t))),
  });
}
