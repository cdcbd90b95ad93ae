// Elects one process for a singleton duty: the one holding a session-level
// advisory lock on its own connection. Others try again every interval, so
// when the leader dies (its session ends, PostgreSQL drops the lock) another
// takes over within one interval. The leader checks its connection at the
// same pace and steps down as soon as it cannot reach the server.
import type { Logger } from 'pino';
import { advisoryLockKey } from './advisory-lock-key.ts';
import { LockSession } from './session-client.ts';

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
  let round: Promise<void> = Promise.resolve();
  const session = new LockSession({
    connectionString: options.connectionString,
    applicationName: `csvup-leader-${options.duty}`,
    queryTimeoutMs: Math.max(1000, options.intervalMs),
    onLost() {
      // Step down at once rather than at the next tick: a follower may take over any moment now.
      round = round.then(() => stepDown('connection lost'));
    },
  });
  let leader = false;
  let stopped = false;

  async function stepDown(reason: string): Promise<void> {
    if (!leader) return;
    leader = false;
    log.warn({ reason }, `stepped down as leader for ${options.duty}`);
    await options.onDeposed();
  }

  async function attempt(): Promise<void> {
    // The lock lived in the session that was lost: a new connection does not hold it.
    if (leader && !session.current) await stepDown('connection lost');
    try {
      const client = session.current ?? (await session.open());
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
      session.drop();
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
      session.drop();
    },
  };
}
