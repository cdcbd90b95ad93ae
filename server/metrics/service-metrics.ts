// The Prometheus series of the service (prom-client), on a registry of its
// own so several app instances in one process (tests) do not collide. Names
// follow Prometheus conventions: units in the name, `_total` for counters.
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

const MB = 1024 * 1024;

/** What an import worker records: the series `pnpm worker` exports too. */
export interface JobMetrics {
  registry: Registry;
  jobDuration: Histogram<'outcome'>;
  rowsImported: Counter;
  rowsRejected: Counter;
}

export interface ServiceMetrics extends JobMetrics {
  httpRequests: Counter<'method' | 'route' | 'status'>;
  uploadsCreated: Counter;
  uploadsFinished: Counter;
  uploadsTerminated: Counter;
  uploadsExpired: Counter;
  bytesReceived: Counter;
  uploadDuration: Histogram;
  uploadSize: Histogram;
  filesRemoved: Counter<'reason'>;
}

/** The job series and the default process metrics (RSS, heap, event-loop lag, GC): a worker process's registry. */
export function createJobMetrics(): JobMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    jobDuration: new Histogram({
      name: 'csvup_job_duration_seconds',
      help: 'import attempt duration, by outcome',
      labelNames: ['outcome'] as const,
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
      registers,
    }),
    rowsImported: new Counter({
      name: 'csvup_rows_imported_total',
      help: 'rows loaded by finished imports',
      registers,
    }),
    rowsRejected: new Counter({
      name: 'csvup_rows_rejected_total',
      help: 'rows refused by finished imports',
      registers,
    }),
  };
}

export function createServiceMetrics(): ServiceMetrics {
  const jobMetrics = createJobMetrics();
  const registers = [jobMetrics.registry];
  return {
    ...jobMetrics,
    httpRequests: new Counter({
      name: 'csvup_http_requests_total',
      help: 'HTTP requests answered, by method, route template and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers,
    }),
    uploadsCreated: new Counter({ name: 'csvup_uploads_created_total', help: 'tus uploads created', registers }),
    uploadsFinished: new Counter({
      name: 'csvup_uploads_finished_total',
      help: 'tus uploads whose last byte arrived',
      registers,
    }),
    uploadsTerminated: new Counter({
      name: 'csvup_uploads_terminated_total',
      help: 'tus uploads terminated by their client',
      registers,
    }),
    uploadsExpired: new Counter({
      name: 'csvup_uploads_expired_total',
      help: 'unfinished uploads removed after going idle',
      registers,
    }),
    bytesReceived: new Counter({
      name: 'csvup_upload_bytes_received_total',
      help: 'upload bytes written to storage',
      registers,
    }),
    uploadDuration: new Histogram({
      name: 'csvup_upload_duration_seconds',
      help: 'time from creation to last byte of finished uploads',
      buckets: [1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600],
      registers,
    }),
    uploadSize: new Histogram({
      name: 'csvup_upload_size_bytes',
      help: 'size of finished uploads',
      buckets: [1, 10, 50, 100, 250, 500, 1024, 2048, 3072].map((n) => n * MB),
      registers,
    }),
    filesRemoved: new Counter({
      name: 'csvup_cleanup_files_removed_total',
      help: 'files removed by cleanup, by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
  };
}
