// Wakes idle workers the moment a job is queued: LISTEN/NOTIFY across processes
// on PostgreSQL, an in-process event on the embedded database. Workers also
// poll, so a lost notification only delays a job by one poll interval.
import { EventEmitter } from 'node:events';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { DatabaseHandle } from '../../db/client.ts';
import { listenForNotifications } from '../cluster/notification-listener.ts';

export interface JobSignal {
  /** Announces that a job is ready; call after the enqueueing transaction commits. */
  notify(): Promise<void>;
  onJobQueued(listener: () => void): () => void;
  close(): Promise<void>;
}

const CHANNEL = 'csv_import_jobs';

export function createLocalJobSignal(): JobSignal {
  const events = new EventEmitter();
  events.setMaxListeners(0);
  return {
    async notify() {
      events.emit('job');
    },
    onJobQueued(listener) {
      events.on('job', listener);
      return () => events.off('job', listener);
    },
    async close() {
      events.removeAllListeners();
    },
  };
}

export function createPostgresJobSignal(databaseUrl: string, pool: pg.Pool, logger: Logger): JobSignal {
  const local = createLocalJobSignal();
  const listener = listenForNotifications({
    connectionString: databaseUrl,
    channel: CHANNEL,
    logger,
    onNotification: () => void local.notify(),
  });
  return {
    async notify() {
      await pool.query('SELECT pg_notify($1, $2)', [CHANNEL, '']);
    },
    onJobQueued: local.onJobQueued,
    async close() {
      await listener.close();
      await local.close();
    },
  };
}

/** The signal for the database the process runs on: LISTEN/NOTIFY on PostgreSQL, in-process on PGlite. */
export function jobSignalFor(database: DatabaseHandle, logger: Logger): JobSignal {
  return database.kind === 'postgres'
    ? createPostgresJobSignal(database.url, database.pool, logger)
    : createLocalJobSignal();
}
