// A PostgreSQL connection of its own for a session-level advisory lock (the
// maintenance leader's, a worker's liveness): the lock lives exactly as long
// as this session, so losing the connection means losing the lock.
import pg from 'pg';

export interface LockSessionOptions {
  connectionString: string;
  /** Shown in pg_stat_activity. */
  applicationName: string;
  /** A query that hangs this long (server gone without a word) counts as a lost connection. */
  queryTimeoutMs: number;
  /** Called when the open connection fails: the session, and its locks, are gone. */
  onLost(error: Error): void;
}

export class LockSession {
  readonly #options: LockSessionOptions;
  #client: pg.Client | null = null;

  constructor(options: LockSessionOptions) {
    this.#options = options;
  }

  /** The open connection, or null after it was lost or dropped. */
  get current(): pg.Client | null {
    return this.#client;
  }

  /** Opens a new session (the caller takes its locks again: a new session holds none). */
  async open(): Promise<pg.Client> {
    const fresh = new pg.Client({
      connectionString: this.#options.connectionString,
      keepAlive: true,
      query_timeout: this.#options.queryTimeoutMs,
      application_name: this.#options.applicationName,
    });
    fresh.on('error', (error) => {
      if (this.#client !== fresh) return;
      this.drop();
      this.#options.onLost(error);
    });
    this.#client = fresh;
    try {
      await fresh.connect();
    } catch (error) {
      if (this.#client === fresh) this.drop();
      throw error;
    }
    return fresh;
  }

  /** Ends the session without waiting or failing: ending it releases its locks. */
  drop(): void {
    const lost = this.#client;
    this.#client = null;
    lost?.end().catch(() => {});
  }
}
