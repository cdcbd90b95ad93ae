// Elects one process for a singleton duty: the one holding a session-level
// advisory lock on its own connection. Others try again every interval, so
// when the leader dies (its session ends, PostgreSQL drops the lock) another
// takes over within one interval. The leader checks its connection at the
// same pace and steps down as soon as it cannot reach the server.
import pg from 'pg';
import type { Logger } from 'pino';
import { advisoryLockKey } from './advisory-lock-key.ts';

export interface LeaderElectionOptions {
  connectionString: string;
  /** The duty's name: its lock key and its log lines. */
  duty: string;
  /** Attempts to acquire, and the leader's connection checks, this often. */
  intervalMs: number;
  logger: Logger;
  /** Called when this process becomes the leader. */
  onElected(): void;
  /** Called when it stops being the leader (connection lost, or stop()). */
  onDeposed(): Promise<void> | void;
}

export interface LeaderElection {
  isLeader(): boolean;
  /** Steps down (releasing the lock at once) and stops competing. */
  stop(): Promise<void>;
}

export function startLeaderElection(options: LeaderElectionOptions): LeaderElection {
  const key = advisoryLockKey('leader', options.duty);
  const log = options.logger.child({ duty: options.duty });
  let client: pg.Client | null = null;
  let leader = false;
  let stopped = false;
  let round: Promise<void> = Promise.resolve();

  async function stepDown(reason: string): Promise<void> {
    if (!leader) return;
    leader = false;
    log.warn({ reason }, `stepped down as leader for ${options.duty}`);
    await options.onDeposed();
  }

  function dropConnection(): void {
    const lost = client;
    client = null;
    lost?.end().catch(() => {});
  }

  async function connect(): Promise<pg.Client> {
    const fresh = new pg.Client({
      connectionString: options.connectionString,
      keepAlive: true,
      // A check that hangs (server gone without a word) counts as a lost connection.
      query_timeout: Math.max(1000, options.intervalMs),
      application_name: `csvup-leader-${options.duty}`,
    });
    fresh.on('error', () => {
      if (client !== fresh) return;
      dropConnection();
      // Step down at once rather than at the next tick: a follower may take over any moment now.
      round = round.then(() => stepDown('connection lost'));
    });
    await fresh.connect();
    return fresh;
  }

  async function attempt(): Promise<void> {
    // The lock lived in the session that was lost: a new connection does not hold it.
    if (leader && !client) await stepDown('connection lost');
    try {
      if (!client) client = await connect();
      if (leader) {
        await client.query('SELECT 1');
        return;
      }
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [
        key,
      ]);
      if (rows[0]?.locked && !stopped) {
        leader = true;
        log.info(`became leader for ${options.duty}`);
        options.onElected();
      }
    } catch (error) {
      dropConnection();
      if (leader) await stepDown((error as Error).message);
      else log.debug({ err: error }, 'leader election attempt failed');
    }
  }

  const tick = () => {
    round = round.then(attempt);
  };
  tick();
  const timer = setInterval(tick, options.intervalMs);
  timer.unref();

  return {
    isLeader: () => leader,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await round;
      await stepDown('stopping');
      // Ending the session releases the lock: a successor takes over at its next attempt.
      dropConnection();
    },
  };
}
