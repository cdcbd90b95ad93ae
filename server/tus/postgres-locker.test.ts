// The Postgres locker between two lockers standing for two API processes on
// one real PostgreSQL database: exclusion, release on request over NOTIFY,
// the bounded wait, and a lock lost with its connection.
import { ERRORS } from '@tus/utils';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTemporaryDatabase, type TemporaryDatabase } from '../../test/support/postgres-database.ts';
import { PostgresLocker } from './postgres-locker.ts';

const logger = pino({ level: 'silent' });
const never = new AbortController().signal;

describe.skipIf(!inject('postgresAvailable'))('PostgresLocker', () => {
  let database: TemporaryDatabase;
  let processA: PostgresLocker;
  let processB: PostgresLocker;

  beforeAll(async () => {
    database = await createTemporaryDatabase();
    const options = { connectionString: database.url, logger, acquireLockTimeoutMs: 3000 };
    processA = new PostgresLocker(options);
    processB = new PostgresLocker(options);
    await Promise.all([processA.ready, processB.ready]);
  });
  afterAll(async () => {
    await processA?.close();
    await processB?.close();
    await database?.drop();
  });

  it('lets one holder at a time and asks the other process to release', async () => {
    const held = processA.newLock('upload-1');
    let asked = 0;
    await held.lock(never, () => {
      asked += 1;
      // The holder's request ends a little later and lets go (what @tus/server does on cancel).
      setTimeout(() => void held.unlock(), 200);
    });
    const started = Date.now();
    const waiting = processB.newLock('upload-1');
    await waiting.lock(never, () => {});
    const waited = Date.now() - started;
    expect(asked).toBe(1);
    expect(waited).toBeGreaterThanOrEqual(150);
    expect(waited).toBeLessThan(1500);
    await waiting.unlock();
  });

  it('does not make different uploads wait for each other', async () => {
    const first = processA.newLock('upload-2');
    await first.lock(never, () => {
      throw new Error('must not be asked');
    });
    const other = processB.newLock('upload-3');
    await other.lock(never, () => {});
    await Promise.all([first.unlock(), other.unlock()]);
  });

  it('refuses after the bounded wait when the holder does not let go', async () => {
    const stubborn = processA.newLock('upload-4');
    let asked = 0;
    await stubborn.lock(never, () => {
      asked += 1;
    });
    const started = Date.now();
    await expect(processB.newLock('upload-4').lock(never, () => {})).rejects.toBe(ERRORS.ERR_LOCK_TIMEOUT);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
    // Asked again while waiting: a holder may have locked just after the first ask.
    expect(asked).toBeGreaterThanOrEqual(2);
    await stubborn.unlock();
    // Released, it is free again at once, also for the process that was refused.
    const next = processB.newLock('upload-4');
    await next.lock(never, () => {});
    await next.unlock();
  });

  it('stops waiting when the waiting request goes away', async () => {
    const holder = processA.newLock('upload-5');
    await holder.lock(never, () => {});
    const gone = new AbortController();
    setTimeout(() => gone.abort(), 200);
    const started = Date.now();
    await expect(processB.newLock('upload-5').lock(gone.signal, () => {})).rejects.toBe(ERRORS.ERR_LOCK_TIMEOUT);
    expect(Date.now() - started).toBeLessThan(1000);
    await holder.unlock();
  });

  it('tells the holder to stop when its lock connection dies, and the lock is free again', async () => {
    const holder = processA.newLock('upload-6');
    const lost = new Promise<void>((resolve) => {
      void holder.lock(never, () => resolve());
    });
    // Wait until it holds the lock, then cut its session the way a failover would.
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      for (let i = 0; i < 50; i += 1) {
        const { rowCount } = await admin.query(
          "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        );
        if (rowCount) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
      );
    } finally {
      await admin.end();
    }
    await lost;
    await holder.unlock();
    const next = processB.newLock('upload-6');
    await next.lock(never, () => {});
    await next.unlock();
  });
});
