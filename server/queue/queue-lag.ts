// Queue lag: how long the oldest due job has waited to start. Zero when every
// due job is running; the number an operator alerts on when workers fall behind.
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/schema.ts';

export async function queueLagSeconds(db: Kysely<Database>): Promise<number> {
  const row = await sql<{ lag: number | string | null }>`
    select extract(epoch from (now() - min(run_at))) as lag
    from jobs where state = 'queued' and run_at <= now()`.execute(db);
  return Math.max(0, Number(row.rows[0]?.lag ?? 0));
}
