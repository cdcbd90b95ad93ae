// Leader election between candidates standing for processes on one real
// PostgreSQL database: one leader at a time, takeover when the leader stops
// or its session dies, and a leader that lost its connection steps down.
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTemporaryDatabase, type TemporaryDatabase } from '../../test/support/postgres-database.ts';
import { type LeaderElection, startLeaderElection } from './leader-election.ts';

const logger = pino({ level: 'silent' });
const INTERVAL_MS = 200;

async function until(condition: () => boolean, timeoutMs = 5000): Promise<number> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - started;
}

describe.skipIf(!inject('postgresAvailable'))('leader election', () => {
  let database: TemporaryDatabase;
  const candidates: { election: LeaderElection; events: string[] }[] = [];

  function candidate(duty = 'maintenance') {
    const events: string[] = [];
    const election = startLeaderElection({
      connectionString: database.url,
      duty,
      intervalMs: INTERVAL_MS,
      logger,
      onElected: () => events.push('elected'),
      onDeposed: () => void events.push('deposed'),
    });
    const entry = { election, events };
    candidates.push(entry);
    return entry;
  }

  beforeAll(async () => {
    database = await createTemporaryDatabase();
  });
  afterAll(async () => {
    await Promise.all(candidates.map((c) => c.election.stop()));
    await database?.drop();
  });

  it('elects one leader; another takes over within an interval when it stops', async () => {
    const first = candidate();
    await until(() => first.election.isLeader());
    const second = candidate();
    await new Promise((r) => setTimeout(r, 3 * INTERVAL_MS));
    expect(second.election.isLeader()).toBe(false);
    await first.election.stop();
    expect(first.events).toEqual(['elected', 'deposed']);
    const takeover = await until(() => second.election.isLeader());
    expect(takeover).toBeLessThan(2 * INTERVAL_MS + 500);
    // A different duty has its own leader.
    const other = candidate('another-duty');
    await until(() => other.election.isLeader());
    await second.election.stop();
    await other.election.stop();
  });

  it('a leader whose session is killed steps down and a follower takes over', async () => {
    const first = candidate();
    await until(() => first.election.isLeader());
    const second = candidate();
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'csvup-leader-maintenance' AND datname = current_database() AND pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)",
      );
    } finally {
      await admin.end();
    }
    await until(() => first.events.includes('deposed'));
    await until(() => second.election.isLeader() || first.election.isLeader());
    expect(first.election.isLeader() && second.election.isLeader()).toBe(false);
  });
});
