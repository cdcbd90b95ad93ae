// Runs a duty (the maintenance timers) on one process of the deployment: on
// PostgreSQL through leader election, stopping it when leadership is lost;
// on the embedded database the single process is always the leader.
import type { Logger } from 'pino';
import type { DatabaseHandle } from '../../db/client.ts';
import { startLeaderElection } from './leader-election.ts';

export interface RunningDuty {
  stop(): Promise<void>;
}

export interface SingletonDutyOptions {
  database: DatabaseHandle;
  duty: string;
  /** How often a follower tries to take over, and the leader checks its connection. */
  electionIntervalMs: number;
  logger: Logger;
  start(): RunningDuty;
}

export function runAsSingleton(options: SingletonDutyOptions): RunningDuty {
  if (options.database.kind === 'embedded') return options.start();
  let running: RunningDuty | null = null;
  const election = startLeaderElection({
    connectionString: options.database.url,
    duty: options.duty,
    intervalMs: options.electionIntervalMs,
    logger: options.logger,
    onElected() {
      running = options.start();
    },
    async onDeposed() {
      const duty = running;
      running = null;
      await duty?.stop();
    },
  });
  return { stop: () => election.stop() };
}
