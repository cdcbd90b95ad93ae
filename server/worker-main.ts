// `pnpm worker`: a worker process only, for scaling imports out. It needs a
// PostgreSQL server shared with the API processes (DATABASE_URL).
import { openDatabase } from '../db/client.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { workerLivenessFor } from './cluster/worker-liveness.ts';
import { loadConfig } from './config/config.ts';
import { uploadImportSources } from './import/source/upload-import-sources.ts';
import { createLogger } from './logger.ts';
import { createJobMetrics } from './metrics/service-metrics.ts';
import { listenForMetrics } from './metrics/worker-metrics-listener.ts';
import { createImportJobHandler } from './queue/import-job-handler.ts';
import { jobSignalFor } from './queue/job-signal.ts';
import { startWorker } from './queue/worker.ts';
import { exitOnStartUpError, onShutdownSignal } from './start-up-error.ts';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  if (!config.databaseUrl) {
    process.stderr.write(
      'pnpm worker needs DATABASE_URL: the embedded database serves one process, and `pnpm start` already runs a worker in it.\n',
    );
    process.exit(2);
  }
  const logger = createLogger(config.logLevel);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await migrateToLatest(database.db);
  const jobSignal = jobSignalFor(database, logger);
  // Only the stored bytes are needed here: the file on the shared volume, or the object in S3.
  const uploadSource = await uploadImportSources(config.storage, config.uploadDir);
  // Job series and this process's memory, for Prometheus; off unless WORKER_METRICS_PORT is set.
  const metrics = createJobMetrics();
  const metricsListener =
    config.workerMetricsPort === null
      ? null
      : await listenForMetrics(metrics.registry, config.host, config.workerMetricsPort);
  if (metricsListener) logger.info({ url: metricsListener.url }, 'worker metrics listening');
  const worker = startWorker({
    db: database.db,
    jobSignal,
    logger,
    handler: createImportJobHandler({
      database,
      uploadSource,
      leaseMs: config.jobLeaseMs,
      destinations: { schema: config.importSchema, allowedTargets: config.importTargets },
    }),
    concurrency: Math.max(1, config.workerConcurrency),
    metrics,
    leaseMs: config.jobLeaseMs,
    pollIntervalMs: config.jobPollIntervalMs,
    retryBaseMs: config.jobRetryDelayMs,
    liveness: workerLivenessFor(database, logger),
  });
  onShutdownSignal(async () => {
    await worker.stop();
    await metricsListener?.close();
    await jobSignal.close();
    await database.close();
  });
}

main().catch(exitOnStartUpError);
