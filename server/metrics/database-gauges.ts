// Gauges read at scrape time from the database and the upload disk: active
// uploads, jobs by state, queue lag, free disk and storage held. Reading them
// on demand keeps them right across many processes sharing one database.

import { type Kysely, sql } from 'kysely';
import { Gauge } from 'prom-client';
import type { Database } from '../../db/schema.ts';
import { queueLagSeconds } from '../queue/queue-lag.ts';
import { freeDiskBytes } from '../uploads/disk-space.ts';
import type { ServiceMetrics } from './service-metrics.ts';

const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;

export function registerDatabaseGauges(metrics: ServiceMetrics, db: Kysely<Database>, uploadDir: string): void {
  const registers = [metrics.registry];
  new Gauge({
    name: 'csvup_uploads_active',
    help: 'uploads still receiving bytes',
    registers,
    async collect() {
      const row = await sql<{ n: number }>`select count(*)::int as n from uploads where state = 'uploading'`.execute(
        db,
      );
      this.set(row.rows[0]?.n ?? 0);
    },
  });
  new Gauge({
    name: 'csvup_jobs',
    help: 'import jobs by state',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      const rows = await sql<{
        state: string;
        n: number;
      }>`select state, count(*)::int as n from jobs group by state`.execute(db);
      for (const state of JOB_STATES) this.set({ state }, rows.rows.find((r) => r.state === state)?.n ?? 0);
    },
  });
  new Gauge({
    name: 'csvup_queue_lag_seconds',
    help: 'age of the oldest job that is due and not yet started',
    registers,
    async collect() {
      this.set(await queueLagSeconds(db));
    },
  });
  new Gauge({
    name: 'csvup_upload_disk_free_bytes',
    help: 'free bytes on the file system holding UPLOAD_DIR',
    registers,
    async collect() {
      this.set(await freeDiskBytes(uploadDir));
    },
  });
  new Gauge({
    name: 'csvup_storage_used_bytes',
    help: 'declared bytes of uploads whose file is still stored',
    registers,
    async collect() {
      const row = await sql<{ n: string | number }>`
        select coalesce(sum(coalesce(size, "offset")), 0) as n from uploads
        where file_deleted_at is null and state <> 'expired'`.execute(db);
      this.set(Number(row.rows[0]?.n ?? 0));
    },
  });
}
