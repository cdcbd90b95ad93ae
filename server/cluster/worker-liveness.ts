// Makes a worker process's death visible to the others at once: it holds a
// session-level advisory lock on a connection of its own and registers the
// lock's key. PostgreSQL ends that session the moment the process dies
// (kill -9 included), which frees the lock; the liveness sweep sees it free.
// A lost connection is re-opened, the lock taken again and the row refreshed.
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DatabaseHandle } from '../../db/client.ts';
import type { Database } from '../../db/schema.ts';
import { deregisterWorker } from '../queue/deregister-worker.ts';
import { registerWorker } from '../queue/register-worker.ts';
import { advisoryLockKey } from './advisory-lock-key.ts';
import { LockSession } from './session-client.ts';

export interface WorkerLivenessOptions {
  connectionString: string;
  db: Kysely<Database>;
  workerId: string;
  logger: Logger;
  /** Reconnects, and refreshes the registration, this often (default 5 s). */
  checkIntervalMs?: number;
}

export interface WorkerLiveness {
  /** Settles after the first attempt to take the lock and register (either way: the lease still applies). */
  readonly ready: Promise<void>;
  /** Unregisters and ends the session, which frees the lock. */
  stop(): Promise<void>;
}

export function startWorkerLiveness(options: WorkerLivenessOptions): WorkerLiveness {
  const key = advisoryLockKey('worker', options.workerId);
  const log = options.logger.child({ workerId: options.workerId });
  let stopped = false;
  let round: Promise<void> = Promise.resolve();
  const session = new LockSession({
    connectionString: options.connectionString,
    applicationName: 'csvup-worker-liveness',
    queryTimeoutMs: 10_000,
    onLost(error) {
      log.warn({ err: error }, 'worker liveness connection lost; reconnecting');
      if (!stopped) round = round.then(check);
    },
  });

  async function check(): Promise<void> {
    if (stopped) return;
    try {
      const client = session.current;
      if (client) await client.query('SELECT 1');
      else {
        // The lock first, the row second: a registered worker without a lock holder is dead.
        const fresh = await session.open();
        await fresh.query('SELECT pg_advisory_lock($1::bigint)', [key]);
      }
    } catch (error) {
      session.drop();
      log.warn({ err: error }, 'worker liveness session failed; the job lease still applies');
      return;
    }
    // A failure here leaves the session (and the lock) alone: the next check registers again.
    await registerWorker(options.db, {
      id: options.workerId,
      lockKey: key,
      hostname: hostname(),
      pid: process.pid,
    }).catch((error) => log.warn({ err: error }, 'worker liveness registration failed; the job lease still applies'));
  }

  round = check();
  const ready = round;
  const timer = setInterval(() => {
    round = round.then(check);
  }, options.checkIntervalMs ?? 5000);
  timer.unref();

  return {
    ready,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await round;
      await deregisterWorker(options.db, options.workerId).catch((error) =>
        log.warn({ err: error }, 'could not unregister the worker'),
      );
      session.drop();
    },
  };
}

/**
 * The liveness of a worker on this database: on PostgreSQL a session lock per
 * worker process; on the embedded database none (one process: a dead worker
 * is a dead service, and nobody else could take over).
 */
export function workerLivenessFor(
  database: DatabaseHandle,
  logger: Logger,
): ((workerId: string) => WorkerLiveness) | undefined {
  if (database.kind !== 'postgres') return undefined;
  return (workerId) => startWorkerLiveness({ connectionString: database.url, db: database.db, workerId, logger });
}
