// Composes a running service from its configuration: database (migrated),
// job signal, the Fastify app, an in-process worker and maintenance timers.
// main.ts listens and handles signals; tests start it on port 0.
import { mkdir } from 'node:fs/promises';
import { MemoryLocker } from '@tus/server';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type DatabaseHandle, openDatabase } from '../db/client.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { buildApp } from './app.ts';
import { type Maintenance, startMaintenance } from './cleanup/maintenance.ts';
import { runAsSingleton } from './cluster/singleton-duty.ts';
import { workerLivenessFor } from './cluster/worker-liveness.ts';
import type { Config } from './config/config.ts';
import { uploadImportSources } from './import/source/upload-import-sources.ts';
import { createServiceMetrics } from './metrics/service-metrics.ts';
import { createImportJobHandler } from './queue/import-job-handler.ts';
import { type JobSignal, jobSignalFor } from './queue/job-signal.ts';
import { type JobHandler, startWorker, type Worker } from './queue/worker.ts';
import { PostgresLocker } from './tus/postgres-locker.ts';

export interface ServiceOptions {
  logger: Logger;
  /** Replaces the CSV import (tests of the queue itself). */
  jobHandler?: JobHandler;
  /** Run expiry and reconciliation timers (default true). */
  maintenance?: boolean;
  webRoot?: string;
  /** How long in-flight requests get to finish on shutdown before their sockets are closed. */
  shutdownGraceMs?: number;
}

export interface Service {
  config: Readonly<Config>;
  app: FastifyInstance;
  database: DatabaseHandle;
  jobSignal: JobSignal;
  worker: Worker | null;
  stop(): Promise<void>;
}

export async function startService(config: Readonly<Config>, options: ServiceOptions): Promise<Service> {
  const { logger } = options;
  if (config.storage.kind === 'file') await mkdir(config.uploadDir, { recursive: true });
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await migrateToLatest(database.db);
  const jobSignal = jobSignalFor(database, logger);
  let shuttingDown = false;
  const metrics = createServiceMetrics();
  // Several API processes share uploads only through PostgreSQL: their locks must live there too.
  const locker =
    database.kind === 'postgres'
      ? new PostgresLocker({
          connectionString: database.url,
          logger,
          maxConnections: config.tusLockConnections,
          acquireLockTimeoutMs: config.tusLockTimeoutMs,
        })
      : new MemoryLocker({ acquireLockTimeout: config.tusLockTimeoutMs });
  // Release requests from other processes must reach us before we take any lock.
  if (locker instanceof PostgresLocker) await locker.ready;
  const app = await buildApp(config, {
    locker,
    database,
    metrics,
    jobSignal,
    logger,
    webRoot: options.webRoot,
    isShuttingDown: () => shuttingDown,
  });
  await app.ready();
  const store = app.storage;
  // The same mapping from STORAGE to the bytes a worker reads as `pnpm worker` uses.
  const uploadSource = await uploadImportSources(config.storage, config.uploadDir);

  const worker =
    config.workerConcurrency > 0
      ? startWorker({
          db: database.db,
          jobSignal,
          logger,
          handler:
            options.jobHandler ??
            createImportJobHandler({
              database,
              uploadSource,
              leaseMs: config.jobLeaseMs,
              destinations: { schema: config.importSchema, allowedTargets: config.importTargets },
            }),
          concurrency: config.workerConcurrency,
          metrics,
          leaseMs: config.jobLeaseMs,
          pollIntervalMs: config.jobPollIntervalMs,
          retryBaseMs: config.jobRetryDelayMs,
          liveness: workerLivenessFor(database, logger),
        })
      : null;

  // One process of the deployment runs the maintenance timers (the elected leader).
  const maintenance: Maintenance | null =
    options.maintenance === false
      ? null
      : runAsSingleton({
          database,
          duty: 'maintenance',
          electionIntervalMs: config.leaderElectionIntervalMs,
          logger,
          start: () =>
            startMaintenance({
              db: database.db,
              store,
              jobSignal,
              logger,
              jobMaxAttempts: config.jobMaxAttempts,
              expiryMs: config.uploadExpiryMs,
              retentionMs: config.retentionMs,
              metrics,
              cleanupIntervalMs: config.cleanupIntervalMs,
            }),
        });

  return {
    config,
    app,
    database,
    jobSignal,
    worker,
    async stop() {
      shuttingDown = true;
      // In-flight PATCHes get a grace period; a stalled one is cut and keeps the bytes it delivered.
      const grace = setTimeout(
        () => app.server.closeAllConnections(),
        options.shutdownGraceMs ?? config.shutdownGraceMs,
      );
      await Promise.all([app.close(), worker?.stop(), maintenance?.stop()]);
      clearTimeout(grace);
      if (locker instanceof PostgresLocker) await locker.close();
      await jobSignal.close();
      await database.close();
    },
  };
}
