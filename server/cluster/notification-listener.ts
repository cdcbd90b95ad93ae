// A dedicated connection that LISTENs on one channel and hands each payload to
// a callback, reconnecting after a lost connection. Notifications sent while it
// is reconnecting are lost: callers tolerate that (they ask again or poll).
import pg from 'pg';
import type { Logger } from 'pino';

export interface NotificationListenerOptions {
  connectionString: string;
  /** A plain identifier: it is written into the LISTEN statement. */
  channel: string;
  onNotification(payload: string): void;
  logger: Logger;
  /** Pause before reconnecting after the connection was lost (default 1 s). */
  reconnectDelayMs?: number;
}

export interface NotificationListener {
  /** Resolves once the first LISTEN is in place (or failed; it keeps retrying then). */
  ready: Promise<void>;
  close(): Promise<void>;
}

export function listenForNotifications(options: NotificationListenerOptions): NotificationListener {
  if (!/^[a-z_][a-z0-9_]*$/.test(options.channel)) throw new Error(`bad channel name ${options.channel}`);
  let client: pg.Client | null = null;
  let closed = false;
  let retryTimer: NodeJS.Timeout | undefined;

  async function connect(): Promise<void> {
    const listener = new pg.Client({ connectionString: options.connectionString, keepAlive: true });
    listener.on('notification', (message) => options.onNotification(message.payload ?? ''));
    listener.on('error', (error) => {
      options.logger.warn({ err: error, channel: options.channel }, 'notification connection lost; reconnecting');
      listener.end().catch(() => {});
      scheduleReconnect();
    });
    try {
      await listener.connect();
      await listener.query(`LISTEN ${options.channel}`);
    } catch (error) {
      await listener.end().catch(() => {});
      throw error;
    }
    if (closed) await listener.end();
    else client = listener;
  }

  function scheduleReconnect(): void {
    client = null;
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      connect().catch(() => scheduleReconnect());
    }, options.reconnectDelayMs ?? 1000);
    retryTimer.unref();
  }

  const ready = connect().catch((error) => {
    options.logger.warn({ err: error, channel: options.channel }, 'could not LISTEN; retrying');
    scheduleReconnect();
  });

  return {
    ready,
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      await ready;
      await client?.end().catch(() => {});
      client = null;
    },
  };
}
