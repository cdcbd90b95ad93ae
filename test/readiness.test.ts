// /readyz tells a balancer whether to send traffic: it fails (503, with the
// failing check named) when the upload disk is below MIN_FREE_DISK_MB or when
// the database stops answering, and recovers by itself when it answers again.
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRequest } from './support/api-client.ts';
import { ADMIN_URL } from './support/postgres-global-setup.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from './support/test-service.ts';

interface Readiness {
  status: string;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

describe.skipIf(databaseUnavailable())(`readiness (${databaseKind})`, () => {
  it('is ready with every check passing, and not ready when the disk is too full', async () => {
    const healthy = await startTestService({ env: { WORKER_CONCURRENCY: '0' } });
    try {
      const ready = await apiRequest<Readiness>(healthy.baseUrl, '/readyz', null);
      expect(ready.status).toBe(200);
      expect(ready.body.status).toBe('ready');
      expect(Object.keys(ready.body.checks).sort()).toEqual(['accepting', 'database', 'queue', 'uploadDisk']);
    } finally {
      await healthy.stop();
    }
    // No disk has a petabyte free: the threshold cannot be met.
    const full = await startTestService({ env: { WORKER_CONCURRENCY: '0', MIN_FREE_DISK_MB: '1000000000' } });
    try {
      const notReady = await apiRequest<Readiness>(full.baseUrl, '/readyz', null);
      expect(notReady.status).toBe(503);
      expect(notReady.body.checks.uploadDisk?.ok).toBe(false);
      expect(notReady.body.checks.database?.ok).toBe(true);
      expect((await apiRequest(full.baseUrl, '/healthz', null)).status).toBe(200);
    } finally {
      await full.stop();
    }
  });
});

const databaseOutageSuite = databaseKind === 'postgres' ? describe.skipIf(databaseUnavailable()) : null;

databaseOutageSuite?.('readiness through a database outage (postgres)', () => {
  let harness: TestService;
  let name: string;
  const admin = () => new pg.Client({ connectionString: ADMIN_URL });

  beforeAll(async () => {
    harness = await startTestService({ env: { WORKER_CONCURRENCY: '0' }, maintenance: false });
    name = new URL(harness.service.config.databaseUrl as string).pathname.slice(1);
  });
  afterAll(async () => {
    const client = admin();
    await client.connect();
    await client.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    await client.end();
    await harness?.stop();
  });

  it('turns 503 while the database refuses connections and 200 once it is back', async () => {
    const client = admin();
    await client.connect();
    try {
      await client.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
      const down = await apiRequest<Readiness>(harness.baseUrl, '/readyz', null);
      expect(down.status).toBe(503);
      expect(down.body.checks.database?.ok).toBe(false);
      expect((await apiRequest(harness.baseUrl, '/healthz', null)).status).toBe(200);

      await client.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        status = (await apiRequest(harness.baseUrl, '/readyz', null)).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toBe(200);
      await sql`select 1`.execute(harness.service.database.db);
    } finally {
      await client.end();
    }
  });
});
