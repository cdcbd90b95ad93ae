// Builds the Fastify application: health, tus at /files, the JSON API and the
// web UI. It never listens; main.ts (or a test) decides where it is served.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import fastifyCors from '@fastify/cors';
import fastifyStatic from '@fastify/static';
import type { Locker } from '@tus/utils';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { DatabaseHandle } from '../db/client.ts';
import { createAuthenticate } from './auth/authenticate.ts';
import type { Config } from './config/config.ts';
import { installErrorHandler } from './error-handler.ts';
import { uploadImportSources } from './import/source/upload-import-sources.ts';
import { countHttpRequests } from './metrics/count-http-requests.ts';
import { registerDatabaseGauges } from './metrics/database-gauges.ts';
import { createServiceMetrics, type ServiceMetrics } from './metrics/service-metrics.ts';
import type { JobSignal } from './queue/job-signal.ts';
import { echoRequestId, requestIdFor } from './request-id.ts';
import { configRoute } from './routes/config-route.ts';
import { errorsReportRoute } from './routes/errors-report-route.ts';
import { healthRoutes } from './routes/health-routes.ts';
import { importRoute } from './routes/import-route.ts';
import { metricsRoute } from './routes/metrics-route.ts';
import { openApiRoute } from './routes/openapi-route.ts';
import { previewRoute } from './routes/preview-route.ts';
import { rejectedRowsRoute } from './routes/rejected-rows-route.ts';
import { rowsRoute } from './routes/rows-route.ts';
import { uploadControlRoutes } from './routes/upload-control-routes.ts';
import { uploadEventsRoute } from './routes/upload-events-route.ts';
import { uploadsRoutes } from './routes/uploads-routes.ts';
import { registerRateLimits } from './security/rate-limits.ts';
import { registerSecurityHeaders } from './security/security-headers.ts';
import { tusRoutes } from './tus/tus-routes.ts';
import { createTusServer } from './tus/tus-server.ts';
import type { UploadStore } from './tus/upload-store.ts';

export interface AppDependencies {
  database: DatabaseHandle;
  /** Prometheus series shared with the in-process worker; created here when absent. */
  metrics?: ServiceMetrics;
  jobSignal: JobSignal;
  logger: Logger;
  /** True once shutdown began: /readyz answers 503 so balancers drain us. */
  isShuttingDown?: () => boolean;
  /** Directory of the built web UI; nothing is served at / when absent. */
  webRoot?: string;
  /** tus upload locks; PostgresLocker when several processes serve tus. */
  locker?: Locker;
}

/** Announced in the OpenAPI description; follows package.json. */
const SERVICE_VERSION = '0.1.0';

declare module 'fastify' {
  interface FastifyInstance {
    /** Where uploads are stored, whichever STORAGE is configured. */
    storage: UploadStore;
  }
}

export async function buildApp(config: Readonly<Config>, deps: AppDependencies): Promise<FastifyInstance> {
  const { db } = deps.database;
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps FastifyInstance's default generics.
    loggerInstance: deps.logger as FastifyBaseLogger,
    trustProxy: config.trustProxy,
    requestIdHeader: false,
    genReqId: requestIdFor,
    // tus bodies are streamed by @tus/server; nothing here reads a body into memory.
    bodyLimit: 1024 * 1024,
    // A request may take hours (a 3 GiB PATCH on a slow link): no overall limit, but a
    // connection that goes quiet (slowloris, stalled body) is closed after idleTimeoutMs.
    requestTimeout: 0,
    connectionTimeout: config.idleTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    // Headers must be complete within headersTimeoutMs; Node only checks every
    // connectionsCheckingInterval (30 s by default), so check every second.
    http: { headersTimeout: config.headersTimeoutMs, connectionsCheckingInterval: 1000 },
  });
  app.decorateRequest('owner', null);
  installErrorHandler(app);
  const metrics = deps.metrics ?? createServiceMetrics();
  // With S3, @tus/s3-store buffers each part in the temporary directory: that disk is the one to watch.
  const localDisk = config.storage.kind === 's3' ? tmpdir() : config.uploadDir;
  registerDatabaseGauges(metrics, db, localDisk);
  countHttpRequests(app, metrics);
  echoRequestId(app);
  await registerSecurityHeaders(app);
  // CORS for /api: closed unless CORS_ORIGINS lists origins (tus answers its own CORS).
  await app.register(fastifyCors, {
    origin: config.corsOrigins.length > 0 ? [...config.corsOrigins] : false,
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id', 'Retry-After', 'Content-Disposition'],
  });
  await registerRateLimits(app, {
    apiPerMinute: config.apiRateLimitPerMinute,
    uploadsPerMinute: config.uploadRateLimitPerMinute,
    pepper: config.tokenPepper,
  });

  const {
    server: tusServer,
    store,
    locker,
    hooks,
    lockDrainMs,
  } = await createTusServer({
    db,
    jobSignal: deps.jobSignal,
    logger: deps.logger,
    uploadDir: config.uploadDir,
    storage: config.storage,
    maxFileSize: config.maxFileSize,
    maxStorageBytes: config.maxStorageBytes,
    minFreeDiskBytes: config.minFreeDiskBytes,
    jobMaxAttempts: config.jobMaxAttempts,
    uploadExpiryMs: config.uploadExpiryMs,
    trustProxy: config.trustProxy,
    metrics,
    corsOrigins: config.corsOrigins,
    ownerQuotaBytes: config.ownerQuotaBytes,
    maxUnfinishedUploadsPerOwner: config.maxUnfinishedUploadsPerOwner,
    locker: deps.locker,
  });
  app.decorate('storage', store);
  const authenticate = createAuthenticate({ db, pepper: config.tokenPepper, environmentTokens: config.authTokens });

  await app.register(healthRoutes, {
    db,
    uploadDir: localDisk,
    minFreeDiskBytes: config.minFreeDiskBytes,
    maxQueueLagMs: config.readyMaxQueueLagMs,
    isShuttingDown: deps.isShuttingDown ?? (() => false),
  });
  await app.register(openApiRoute, { version: SERVICE_VERSION });
  await app.register(metricsRoute, { metrics });
  await app.register(tusRoutes, {
    tusServer,
    store,
    db,
    authenticate,
    allowDownloads: config.allowDownloads,
    draft: {
      hooks,
      locker,
      lockDrainMs,
      maxFileSize: config.maxFileSize,
      trustProxy: config.trustProxy,
      corsOrigins: config.corsOrigins,
    },
  });
  // Outside the /api plugin: this route also accepts ?token= (EventSource sends no headers).
  await app.register(uploadEventsRoute, { db, authenticate, receivedBytes: (id) => store.receivedBytes(id) });
  await app.register(async (api) => {
    api.addHook('onRequest', authenticate);
    await api.register(configRoute, {
      maxFileSize: config.maxFileSize,
      chunkSize: config.chunkSize,
      parallelUploads: config.webParallelUploads,
      importTargets: config.importTargets,
    });
    await api.register(uploadsRoutes, { db, receivedBytes: (id) => store.receivedBytes(id) });
    await api.register(rowsRoute, { db });
    await api.register(rejectedRowsRoute, { db });
    const importSources = await uploadImportSources(config.storage, config.uploadDir);
    await api.register(previewRoute, { db, importSources });
    await api.register(errorsReportRoute, { db });
    await api.register(importRoute, {
      db,
      jobSignal: deps.jobSignal,
      jobMaxAttempts: config.jobMaxAttempts,
      importSources,
    });
    await api.register(uploadControlRoutes, {
      db,
      jobSignal: deps.jobSignal,
      files: { remove: (id) => store.removeFiles(id) },
    });
  });
  if (deps.webRoot && existsSync(deps.webRoot)) {
    await app.register(fastifyStatic, { root: deps.webRoot, prefix: '/' });
  }
  return app;
}
