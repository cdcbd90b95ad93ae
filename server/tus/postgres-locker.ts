// A tus Locker shared by every API process on one PostgreSQL server: a
// session-level advisory lock per upload, held on its own connection from a
// small pool apart from the query pool. A request that finds the lock taken
// asks the holder to let go (NOTIFY tus_lock_release; the holder's stalled
// request is cut and keeps its bytes) and tries again until its time is up.
import type { Lock, Locker, RequestRelease } from '@tus/utils';
import { ERRORS } from '@tus/utils';
import pg from 'pg';
import type { Logger } from 'pino';
import { advisoryLockKey } from '../cluster/advisory-lock-key.ts';
import { listenForNotifications, type NotificationListener } from '../cluster/notification-listener.ts';

export const LOCK_RELEASE_CHANNEL = 'tus_lock_release';

export interface PostgresLockerOptions {
  /** postgres://… of the server every API process shares. */
  connectionString: string;
  logger: Logger;
  /** Connections for held locks: one per upload being read or written at once (default 20). */
  maxConnections?: number;
  /** How long a request waits for a lock before it is refused with 503 (default 10 s). */
  acquireLockTimeoutMs?: number;
  /** Pause between attempts while waiting (default 50 ms). */
  retryIntervalMs?: number;
  /** The holder is asked again this often while we wait: it may have taken the lock after our first ask. */
  reaskIntervalMs?: number;
}

/** The advisory lock key of an upload id. */
export function uploadLockKey(id: string): string {
  return advisoryLockKey('tus-upload', id);
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export class PostgresLocker implements Locker {
  readonly #pool: pg.Pool;
  readonly #listener: NotificationListener;
  readonly #timeoutMs: number;
  readonly #retryMs: number;
  readonly #reaskMs: number;
  /** How to make this process's holder of an upload's lock let go, by upload id. */
  readonly #holders = new Map<string, RequestRelease>();

  constructor(options: PostgresLockerOptions) {
    this.#timeoutMs = options.acquireLockTimeoutMs ?? 10_000;
    this.#retryMs = options.retryIntervalMs ?? 50;
    this.#reaskMs = options.reaskIntervalMs ?? 1000;
    this.#pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 20,
      // Waiting for a free lock connection counts against the same bound as waiting for the lock.
      connectionTimeoutMillis: this.#timeoutMs,
      application_name: 'csvup-tus-locks',
    });
    // An idle lock connection losing its server must not crash the process; the pool replaces it.
    this.#pool.on('error', () => {});
    this.#listener = listenForNotifications({
      connectionString: options.connectionString,
      channel: LOCK_RELEASE_CHANNEL,
      logger: options.logger,
      onNotification: (id) => void this.#holders.get(id)?.(),
    });
  }

  /** Resolves once release requests from other processes can reach this one. */
  get ready(): Promise<void> {
    return this.#listener.ready;
  }

  newLock(id: string): Lock {
    const key = uploadLockKey(id);
    let held: { client: pg.PoolClient; release: RequestRelease; onLost: () => void } | null = null;
    return {
      lock: async (signal, requestRelease) => {
        const client = await this.#acquire(id, key, signal);
        // A lock connection that dies takes the lock with it: the request must stop writing.
        const onLost = () => void requestRelease();
        client.on('error', onLost);
        this.#holders.set(id, requestRelease);
        held = { client, release: requestRelease, onLost };
      },
      unlock: async () => {
        if (!held) throw new Error('Releasing an unlocked lock!');
        const { client, release, onLost } = held;
        held = null;
        if (this.#holders.get(id) === release) this.#holders.delete(id);
        try {
          await client.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
          client.off('error', onLost);
          client.release();
        } catch (error) {
          // Never hand a connection that may still hold the lock back to the pool.
          client.off('error', onLost);
          client.release(error as Error);
        }
      },
    };
  }

  async close(): Promise<void> {
    await this.#listener.close();
    await this.#pool.end();
  }

  async #acquire(id: string, key: string, signal: AbortSignal): Promise<pg.PoolClient> {
    const deadline = Date.now() + this.#timeoutMs;
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch {
      throw ERRORS.ERR_LOCK_TIMEOUT;
    }
    const ignoreIdleError = () => {};
    client.on('error', ignoreIdleError);
    let askedAt = 0;
    try {
      for (;;) {
        if (signal.aborted) throw ERRORS.ERR_LOCK_TIMEOUT;
        const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [
          key,
        ]);
        if (rows[0]?.locked) return client;
        if (Date.now() - askedAt >= this.#reaskMs) {
          askedAt = Date.now();
          await this.#askToRelease(client, id);
        }
        if (Date.now() + this.#retryMs > deadline) throw ERRORS.ERR_LOCK_TIMEOUT;
        await sleep(this.#retryMs, signal);
      }
    } catch (error) {
      client.release(error === ERRORS.ERR_LOCK_TIMEOUT ? undefined : (error as Error));
      // A database failure is as temporary for the client as a busy lock: 503, retry later.
      throw ERRORS.ERR_LOCK_TIMEOUT;
    } finally {
      client.off('error', ignoreIdleError);
    }
  }

  /** The holder is in this process (no round trip) or in another one (NOTIFY reaches them all). */
  async #askToRelease(client: pg.PoolClient, id: string): Promise<void> {
    const local = this.#holders.get(id);
    if (local) await local();
    else await client.query('SELECT pg_notify($1, $2)', [LOCK_RELEASE_CHANNEL, id]);
  }
}
