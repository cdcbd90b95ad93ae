// Starts the whole service for one test file: a temporary data directory, the
// database this run is about (TEST_DATABASE=embedded|postgres), a real HTTP
// server on a free loopback port. Always stopped and cleaned up afterwards.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { inject } from 'vitest';
import { createToken } from '../../server/auth/tokens.ts';
import { loadConfig } from '../../server/config/config.ts';
import type { Env } from '../../server/config/parse-env.ts';
import { createLogger } from '../../server/logger.ts';
import { type Service, type ServiceOptions, startService } from '../../server/service.ts';
import { UploadFileStore } from '../../server/tus/upload-file-store.ts';
import { createTemporaryDatabase, type TemporaryDatabase } from './postgres-database.ts';

export type DatabaseKind = 'embedded' | 'postgres';

export const databaseKind: DatabaseKind = process.env.TEST_DATABASE === 'postgres' ? 'postgres' : 'embedded';

/** True when this run's database cannot be had here (locally, without PostgreSQL). */
export function databaseUnavailable(): boolean {
  return databaseKind === 'postgres' && !inject('postgresAvailable');
}

export interface TestService {
  service: Service;
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  dataDir: string;
  /** The file store, to look at the stored bytes themselves (STORAGE=file only; throws with S3). */
  readonly fileStore: UploadFileStore;
  tokenFor(owner: string): Promise<string>;
  stop(): Promise<void>;
}

export interface TestServiceOptions extends Partial<Omit<ServiceOptions, 'logger'>> {
  env?: Env;
  /** Collects the service's JSON log lines (level info and up) for assertions. */
  logLines?: string[];
}

export async function startTestService(options: TestServiceOptions = {}): Promise<TestService> {
  const dataDir = await mkdtemp(join(tmpdir(), 'csvup-test-'));
  let temporary: TemporaryDatabase | undefined;
  if (databaseKind === 'postgres') temporary = await createTemporaryDatabase();
  const config = loadConfig({
    DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'silent',
    MIN_FREE_DISK_MB: '0',
    JOB_POLL_INTERVAL_MS: '250',
    JOB_RETRY_DELAY_MS: '50',
    // Tests poll the API quickly; the rate-limit suite sets its own limits.
    RATE_LIMIT_API_PER_MINUTE: '0',
    RATE_LIMIT_UPLOADS_PER_MINUTE: '0',
    DATABASE_URL: temporary?.url,
    ...options.env,
  });
  const collected = options.logLines;
  const logger = collected
    ? createLogger('info', { write: (line: string) => void collected.push(line) })
    : pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const service = await startService(config, { ...options, logger, shutdownGraceMs: 2000 });
  await service.app.listen({ host: '127.0.0.1', port: 0 });
  const address = service.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    service,
    baseUrl: `http://127.0.0.1:${port}`,
    dataDir,
    get fileStore() {
      const store = service.app.storage;
      if (!(store instanceof UploadFileStore))
        throw new Error('fileStore is for STORAGE=file; this service stores in S3');
      return store;
    },
    async tokenFor(owner) {
      return (await createToken(service.database.db, config.tokenPepper, owner)).token;
    },
    async stop() {
      await service.stop();
      await temporary?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
