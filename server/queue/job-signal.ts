// Wakes idle workers the moment a job is queued: LISTEN/NOTIFY across processes
// on PostgreSQL, an in-process event on the embedded database. Workers also
// poll, so a lost notification only delays a job by one poll interval.
import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { Logger } from 'pino';

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
  let client: pg.Client | null = null;
  let closed = false;
  let retryTimer: NodeJS.Timeout | undefined;

  async function connect(): Promise<void> {
    const listener = new pg.Client({ connectionString: databaseUrl });
    listener.on('notification', () => void local.notify());
    listener.on('error', (error) => {
      logger.warn({ err: error }, 'job notification connection lost; reconnecting');
      listener.end().catch(() => {});
      scheduleReconnect();
    });
    await listener.connect();
    await listener.query(`LISTEN ${CHANNEL}`);
    if (closed) await listener.end();
    else client = listener;
  }

  function scheduleReconnect(): void {
    client = null;
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      connect().catch(() => scheduleReconnect());
    }, 1000);
    retryTimer.unref();
  }

  connect().catch((error) => {
    logger.warn({ err: error }, 'could not LISTEN for jobs; polling only until it can');
    scheduleReconnect();
  });

  return {
    async notify() {
      await pool.query('SELECT pg_notify($1, $2)', [CHANNEL, '']);
    },
    onJobQueued: local.onJobQueued,
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      await client?.end().catch(() => {});
      await local.close();
    },
  };
}
