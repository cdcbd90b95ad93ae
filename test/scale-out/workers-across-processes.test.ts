// Imports spread over worker processes: an API-only process (WORKER_CONCURRENCY=0)
// takes 30 uploads while three workers in two `pnpm worker` processes drain
// the queue; every job runs exactly once and every row lands once.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pgRunner, recordStats } from '../support/import-tables.ts';
import { createUpload, patch } from '../support/raw-tus.ts';
import { type Cluster, type ClusterProcess, startCluster, TOKEN } from './support/cluster.ts';

const UPLOADS = 30;
const ROWS = 300;

function csv(upload: number): Buffer {
  const lines = ['id,upload,name'];
  for (let row = 1; row <= ROWS; row += 1) lines.push(`${row},${upload},name ${row} of ${upload}`);
  return Buffer.from(`${lines.join('\n')}\n`);
}

describe.skipIf(!inject('postgresAvailable'))('three workers in two processes', () => {
  let cluster: Cluster;
  let api: ClusterProcess;
  let workers: ClusterProcess[];

  beforeAll(async () => {
    cluster = await startCluster();
    [api, ...workers] = await Promise.all([
      cluster.startApi('api'),
      cluster.startWorker('worker-1', { WORKER_CONCURRENCY: '2' }),
      cluster.startWorker('worker-2', { WORKER_CONCURRENCY: '1' }),
    ]);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('drain 30 jobs, each exactly once', async () => {
    const started = Date.now();
    await Promise.all(
      Array.from({ length: UPLOADS }, async (_, upload) => {
        const body = csv(upload);
        const created = await createUpload(api.baseUrl, TOKEN, body.length, {
          filename: `part-${upload}.csv`,
          filetype: 'text/csv',
        });
        expect((await patch(created.url, TOKEN, 0, body)).status).toBe(204);
      }),
    );
    const client = new pg.Client({ connectionString: cluster.database.url });
    await client.connect();
    try {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const { rows } = await client.query<{ done: number }>(
          "SELECT count(*)::int AS done FROM jobs WHERE state IN ('succeeded', 'failed')",
        );
        if (rows[0]?.done === UPLOADS) break;
        if (Date.now() > deadline) throw new Error(`only ${rows[0]?.done} of ${UPLOADS} jobs ended`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const seconds = (Date.now() - started) / 1000;
      process.stdout.write(
        `[scale-out] ${UPLOADS} uploads imported by 3 workers in 2 processes: ${seconds.toFixed(1)} s\n`,
      );
      const jobs = await client.query<{ state: string; attempts: number; locked_by: string | null }>(
        'SELECT state, attempts, locked_by FROM jobs',
      );
      expect(jobs.rows.every((job) => job.state === 'succeeded' && job.attempts === 1)).toBe(true);
      const uploads = await client.query<{ upload_id: string }>('SELECT upload_id FROM import_destinations');
      expect(uploads.rows).toHaveLength(UPLOADS);
      for (const { upload_id } of uploads.rows)
        expect(await recordStats(pgRunner(client), upload_id)).toEqual({ n: ROWS, distinct_n: ROWS, max_n: ROWS });
    } finally {
      await client.end();
    }
    // Each job was started once, by one of the two worker processes, and both took part.
    const startedBy = workers.map((worker) =>
      worker
        .logs()
        .filter((line) => line.msg === 'job started')
        .map((line) => String(line.jobId)),
    );
    const all = startedBy.flat();
    expect(all).toHaveLength(UPLOADS);
    expect(new Set(all).size).toBe(UPLOADS);
    for (const jobs of startedBy) expect(jobs.length).toBeGreaterThan(0);
    expect(api.logs().some((line) => line.msg === 'job started')).toBe(false);
  });
});
