// Periodic duties of an API process: reconciliation (soon after start, then
// every minute at most) and the cleanup pass every CLEANUP_INTERVAL: idle
// unfinished uploads, files past their retention, orphans. A failed pass is
// logged and tried again at the next tick; it never throws.
import type { Logger } from 'pino';
import type { ServiceMetrics } from '../metrics/service-metrics.ts';
import { type ExpiryOptions, expireIdleUploads } from './expire-idle-uploads.ts';
import { type ReconcileOptions, reconcileFinishedUploads } from './reconcile-finished-uploads.ts';
import { removeOrphans } from './remove-orphans.ts';
import { removeRetainedFiles } from './remove-retained-files.ts';

export interface MaintenanceOptions extends ReconcileOptions, Omit<ExpiryOptions, 'now'> {
  cleanupIntervalMs: number;
  retentionMs: number;
  logger: Logger;
  metrics?: ServiceMetrics;
}

export interface Maintenance {
  stop(): Promise<void>;
}

const RECONCILE_INTERVAL_MS = 60_000;

/** One cleanup pass; each step runs even when an earlier one failed. */
export async function runCleanupPass(options: MaintenanceOptions): Promise<void> {
  const steps: [string, () => Promise<unknown>][] = [
    ['expire', () => expireIdleUploads(options)],
    ['retention', () => removeRetainedFiles(options)],
    ['orphans', () => removeOrphans(options)],
  ];
  for (const [name, step] of steps) {
    await step().catch((error) => options.logger.error({ err: error, pass: name }, 'cleanup step failed'));
  }
}

export function startMaintenance(options: MaintenanceOptions): Maintenance {
  let running: Promise<unknown> = Promise.resolve();
  const serially = (name: string, pass: () => Promise<unknown>) => () => {
    running = running
      .then(pass)
      .catch((error) => options.logger.error({ err: error, pass: name }, 'maintenance pass failed'));
  };
  const reconcile = serially('reconcile', () => reconcileFinishedUploads(options));
  const cleanup = serially('cleanup', () => runCleanupPass(options));
  reconcile();
  cleanup();
  const timers = [
    setInterval(reconcile, Math.min(RECONCILE_INTERVAL_MS, options.cleanupIntervalMs)),
    setInterval(cleanup, options.cleanupIntervalMs),
  ];
  for (const timer of timers) timer.unref();
  return {
    async stop() {
      for (const timer of timers) clearInterval(timer);
      await running;
    },
  };
}
