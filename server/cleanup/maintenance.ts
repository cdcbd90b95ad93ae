// Periodic duties of an API process: reconciliation (soon after start, then
// every minute at most) and expiry of idle uploads (every CLEANUP_INTERVAL).
// A failed pass is logged and retried at the next tick; it never throws.
import type { Logger } from 'pino';
import { type ExpiryOptions, expireIdleUploads } from './expire-idle-uploads.ts';
import { type ReconcileOptions, reconcileFinishedUploads } from './reconcile-finished-uploads.ts';

export interface MaintenanceOptions extends ReconcileOptions, Omit<ExpiryOptions, 'now'> {
  cleanupIntervalMs: number;
  logger: Logger;
}

export interface Maintenance {
  stop(): Promise<void>;
}

const RECONCILE_INTERVAL_MS = 60_000;

export function startMaintenance(options: MaintenanceOptions): Maintenance {
  let running: Promise<unknown> = Promise.resolve();
  const guarded = (name: string, pass: () => Promise<number>) => () => {
    running = running
      .then(pass)
      .catch((error) => options.logger.error({ err: error, pass: name }, 'maintenance pass failed'));
  };
  const reconcile = guarded('reconcile', () => reconcileFinishedUploads(options));
  const expire = guarded('expire', () => expireIdleUploads(options));
  reconcile();
  expire();
  const timers = [
    setInterval(reconcile, Math.min(RECONCILE_INTERVAL_MS, options.cleanupIntervalMs)),
    setInterval(expire, options.cleanupIntervalMs),
  ];
  for (const timer of timers) timer.unref();
  return {
    async stop() {
      for (const timer of timers) clearInterval(timer);
      await running;
    },
  };
}
