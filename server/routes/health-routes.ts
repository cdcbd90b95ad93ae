// GET /healthz (the process answers) and GET /readyz (it can do its work:
// database reachable and migrated, upload disk writable with room to spare,
// not shutting down). A balancer drains the instance on a 503 from /readyz.
import { access, constants } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { type Kysely, sql } from 'kysely';
import { migrationsAreCurrent } from '../../db/migrate.ts';
import type { Database } from '../../db/schema.ts';
import { queueLagSeconds } from '../queue/queue-lag.ts';
import { freeDiskBytes } from '../uploads/disk-space.ts';

export interface HealthRoutesOptions {
  db: Kysely<Database>;
  uploadDir: string;
  minFreeDiskBytes: number;
  maxQueueLagMs: number;
  isShuttingDown(): boolean;
}

interface Check {
  ok: boolean;
  detail?: string;
}

async function check(probe: () => Promise<string | undefined>): Promise<Check> {
  try {
    return { ok: true, detail: await probe() };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

export async function healthRoutes(app: FastifyInstance, options: HealthRoutesOptions): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const checks = {
      database: await check(async () => {
        await sql`select 1`.execute(options.db);
        if (!(await migrationsAreCurrent(options.db))) throw new Error('migrations are not applied');
        return undefined;
      }),
      uploadDisk: await check(async () => {
        await access(options.uploadDir, constants.W_OK);
        const free = await freeDiskBytes(options.uploadDir);
        if (free < options.minFreeDiskBytes) throw new Error(`only ${free} bytes free`);
        return `${free} bytes free`;
      }),
      queue: await check(async () => {
        const lag = await queueLagSeconds(options.db);
        if (lag * 1000 > options.maxQueueLagMs) throw new Error(`oldest due job has waited ${Math.round(lag)} s`);
        return `lag ${lag.toFixed(1)} s`;
      }),
      accepting: { ok: !options.isShuttingDown(), detail: options.isShuttingDown() ? 'shutting down' : undefined },
    };
    const ready = Object.values(checks).every((c) => c.ok);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  });
}
