// The job loop: N slots each claim a job, run it under a heartbeat-extended
// lease, then record success or failure. Idle slots sleep until a job is
// announced or the poll interval passes. With liveness (PostgreSQL), the jobs
// of a worker process that died are handed over within a second. stop() stops claiming, lets running
// jobs reach a batch boundary and hands them back for another worker.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database, Job } from '../../db/schema.ts';
import type { WorkerLiveness } from '../cluster/worker-liveness.ts';
import type { JobMetrics } from '../metrics/service-metrics.ts';
import { claimJob } from './claim-job.ts';
import { type CompletedImport, completeJob } from './complete-job.ts';
import { failJob } from './fail-job.ts';
import { handOverJobsOfDeadWorkers } from './hand-over-jobs-of-dead-workers.ts';
import { heartbeatJob } from './heartbeat-job.ts';
import type { JobSignal } from './job-signal.ts';
import { releaseJob } from './release-job.ts';
import { resetStaleJobs } from './reset-stale-jobs.ts';

export interface JobContext {
  workerId: string;
  /** Aborted on shutdown or when the lease is lost: stop at the next batch boundary. */
  signal: AbortSignal;
  logger: Logger;
}

export type JobHandler = (job: Job, context: JobContext) => Promise<CompletedImport>;

export interface WorkerOptions {
  db: Kysely<Database>;
  jobSignal: JobSignal;
  handler: JobHandler;
  logger: Logger;
  concurrency: number;
  leaseMs: number;
  pollIntervalMs: number;
  retryBaseMs: number;
  /** Job durations and row counts; omitted where nothing exports them (tests of the queue). */
  metrics?: JobMetrics;
  /**
   * Makes this process's death visible at once (PostgreSQL: workerLivenessFor), and turns on
   * the sweep that hands over the jobs of dead workers without waiting for their leases.
   */
  liveness?: (workerId: string) => WorkerLiveness;
}

/** How often a worker looks for jobs of dead worker processes: takeover within about this long. */
const DEAD_WORKER_SWEEP_MS = 1000;

export interface Worker {
  readonly workerId: string;
  /** Stops claiming; running jobs are released at their next batch boundary. */
  stop(): Promise<void>;
}

/** Errors that retrying cannot fix carry `permanent = true`. */
function isPermanent(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { permanent?: unknown }).permanent === true;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function startWorker(options: WorkerOptions): Worker {
  const workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const logger = options.logger.child({ workerId });
  const stopping = new AbortController();
  const sleepers = new Set<() => void>();
  // A job announced while every slot was busy must not wait for the next poll.
  let announcedWhileBusy = false;
  const unsubscribe = options.jobSignal.onJobQueued(() => {
    if (sleepers.size === 0) announcedWhileBusy = true;
    for (const wake of [...sleepers]) wake();
  });

  function sleep(ms: number): Promise<void> {
    if (announcedWhileBusy) {
      announcedWhileBusy = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        stopping.signal.removeEventListener('abort', done);
        sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      sleepers.add(done);
      stopping.signal.addEventListener('abort', done, { once: true });
    });
  }

  async function runJob(job: Job): Promise<void> {
    // reqId is the request that finished the upload: one id from API log line to job log lines.
    const jobLogger = logger.child({
      jobId: Number(job.id),
      uploadId: job.upload_id,
      attempt: job.attempts,
      reqId: job.request_id,
    });
    const startedAt = performance.now();
    const observe = (outcome: string) =>
      options.metrics?.jobDuration.observe({ outcome }, (performance.now() - startedAt) / 1000);
    const abort = new AbortController();
    const onStop = () => abort.abort(new Error('worker stopping'));
    stopping.signal.addEventListener('abort', onStop, { once: true });
    const heartbeat = setInterval(
      () => {
        heartbeatJob(options.db, Number(job.id), workerId, options.leaseMs)
          .then((held) => held || abort.abort(new Error('lease lost')))
          .catch((error) => jobLogger.warn({ err: error }, 'heartbeat failed'));
      },
      Math.max(250, Math.floor(options.leaseMs / 3)),
    );
    try {
      if (job.attempts > job.max_attempts) {
        throw Object.assign(new Error(`Gave up after ${job.max_attempts} attempts that did not finish`), {
          permanent: true,
        });
      }
      jobLogger.info('job started');
      const outcome = await options.handler(job, { workerId, signal: abort.signal, logger: jobLogger });
      const recorded = await completeJob(options.db, Number(job.id), workerId, outcome);
      observe('succeeded');
      if (recorded) {
        options.metrics?.rowsImported.inc(Number(outcome.result.rows ?? 0));
        options.metrics?.rowsRejected.inc(Number(outcome.result.rowsRejected ?? 0));
      }
      jobLogger.info({ recorded }, 'job succeeded');
    } catch (error) {
      if (stopping.signal.aborted) {
        await releaseJob(options.db, Number(job.id), workerId);
        jobLogger.info('job released for another worker');
      } else {
        const outcome = await failJob(options.db, Number(job.id), workerId, {
          message: messageOf(error),
          permanent: isPermanent(error),
          retryBaseMs: options.retryBaseMs,
        });
        observe(outcome);
        jobLogger.warn({ err: error, outcome }, 'job attempt failed');
      }
    } finally {
      clearInterval(heartbeat);
      stopping.signal.removeEventListener('abort', onStop);
    }
  }

  const liveness = options.liveness?.(workerId);

  async function slot(): Promise<void> {
    // Claim only once registered, so the sweep can tell when this process dies.
    await liveness?.ready;
    while (!stopping.signal.aborted) {
      let job: Job | undefined;
      try {
        job = await claimJob(options.db, workerId, options.leaseMs);
      } catch (error) {
        logger.warn({ err: error }, 'claiming a job failed');
      }
      if (job) await runJob(job).catch((error) => logger.error({ err: error }, 'job bookkeeping failed'));
      else await sleep(options.pollIntervalMs);
    }
  }

  /** A sweep every `ms`: jobs it queued again wake idle workers at once. */
  function sweepEvery(ms: number, sweep: () => Promise<number>, what: string): NodeJS.Timeout {
    return setInterval(() => {
      sweep()
        .then((count) => {
          if (count === 0) return;
          logger.warn({ count }, `queued again the jobs of ${what}`);
          return options.jobSignal.notify();
        })
        .catch((error) => logger.warn({ err: error }, `sweep for the jobs of ${what} failed`));
    }, ms);
  }

  // Every worker sweeps for expired leases; the sweep is one atomic UPDATE, so
  // sweeping from many processes is safe. It recovers the jobs of a worker that is
  // alive but cut off (or unregistered) within lease + sweep.
  const sweep = sweepEvery(
    Math.min(10_000, Math.max(100, Math.floor(options.leaseMs / 2))),
    () => resetStaleJobs(options.db),
    'workers that stopped responding (lease expired)',
  );
  // Jobs of processes whose session ended are handed over at once, their attempt not counted.
  const deadWorkerSweep = liveness
    ? sweepEvery(DEAD_WORKER_SWEEP_MS, () => handOverJobsOfDeadWorkers(options.db), 'worker processes that died')
    : undefined;

  const slots = Array.from({ length: options.concurrency }, () => slot());
  logger.info({ concurrency: options.concurrency }, 'worker started');

  return {
    workerId,
    async stop() {
      stopping.abort();
      clearInterval(sweep);
      clearInterval(deadWorkerSweep);
      unsubscribe();
      await Promise.all(slots);
      await liveness?.stop();
      logger.info('worker stopped');
    },
  };
}
