// Fault: the PostgreSQL server stopped and started again, once mid-import
// (immediate stop, as in a crash) and once while the last bytes of an upload
// arrive (so the finish hook cannot record it). A private server is used: the
// shared one must never be restarted. The service runs as a real process and
// must survive; each job runs to the end exactly once, with exact rows.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlRunner } from '../../server/import/destination/destination-sql.ts';
import { writeCsvFixture } from '../support/csv-fixtures.ts';
import { recordStats } from '../support/import-tables.ts';
import { type PrivatePostgres, privatePostgresUnavailable, startPrivatePostgres } from '../support/private-postgres.ts';
import { createUpload, head, patch } from '../support/raw-tus.ts';
import { type RunningProcess, runServiceProcess, waitForOutput } from '../support/service-process.ts';
import { tusUpload } from '../support/tus-client.ts';

const MiB = 1024 * 1024;
const TOKEN = 'restart-token-0123456789abcdef';

// It brings its own server, so it runs once: in the PostgreSQL project.
// PostgreSQL only (vitest.config.ts keeps it out of the embedded project).
const suite = privatePostgresUnavailable() ? describe.skip : describe;

suite('fault: PostgreSQL restarted mid-import and mid-finish (private server)', () => {
  let database: PrivatePostgres;
  let work: string;
  let service: RunningProcess;
  let baseUrl: string;

  /** One query on a fresh connection, retried while the server is coming back. */
  async function query<T extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<T[]> {
    for (let attempt = 0; ; attempt++) {
      const client = new pg.Client({ connectionString: database.url });
      try {
        await client.connect();
        return (await client.query<T>(text, params)).rows;
      } catch (error) {
        if (attempt > 100) throw error;
        await new Promise((r) => setTimeout(r, 200));
      } finally {
        await client.end().catch(() => {});
      }
    }
  }

  async function waitForJob(id: string, until: (state: string) => boolean) {
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
      const [job] = await query<{ state: string; attempts: number; checkpoint: { recordNumber: number } | null }>(
        'SELECT state, attempts, checkpoint FROM jobs WHERE upload_id = $1',
        [id],
      );
      if (job && until(job.state)) return job;
      if (service.child.exitCode !== null) throw new Error(`the service died:\n${service.stderr().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`job of ${id} never reached the awaited state`);
  }

  async function expectExactlyOnce(id: string, rowCount: number): Promise<void> {
    const jobs = await query<{ state: string }>('SELECT state FROM jobs WHERE upload_id = $1', [id]);
    expect(jobs).toEqual([{ state: 'succeeded' }]);
    expect(await recordStats(query as SqlRunner, id)).toEqual({ n: rowCount, distinct_n: rowCount, max_n: rowCount });
    expect(service.child.exitCode, `the service died:\n${service.stderr().slice(-3000)}`).toBeNull();
  }

  beforeAll(async () => {
    database = await startPrivatePostgres();
    work = await mkdtemp(join(tmpdir(), 'csvup-fault-pg-'));
    service = await runServiceProcess({
      PORT: '0',
      DATA_DIR: join(work, 'data'),
      DATABASE_URL: database.url,
      AUTH_TOKENS: `restart:${TOKEN}`,
      MIN_FREE_DISK_MB: '0',
      WORKER_CONCURRENCY: '1',
      JOB_LEASE_MS: '3000',
      JOB_RETRY_DELAY_MS: '200',
      JOB_POLL_INTERVAL_MS: '200',
      // Reconciliation (a finished upload without a job) runs every second.
      CLEANUP_INTERVAL: '1000',
    });
    baseUrl = (await waitForOutput(service, /CSV upload service: (http:\/\/[^\s/]+)/))[1] as string;
  });
  afterAll(async () => {
    service?.child.kill('SIGKILL');
    await service?.exited;
    await database?.destroy();
    await rm(work, { recursive: true, force: true });
  });

  it('restarted mid-import: the job resumes and completes once, with exact rows', async () => {
    const path = join(work, 'import.csv');
    const rowCount = await writeCsvFixture(path, 12 * MiB);
    const { url } = await tusUpload({ endpoint: `${baseUrl}/files/`, token: TOKEN, path });
    const id = new URL(url).pathname.split('/').pop() as string;
    const running = await waitForJob(id, (state) => state === 'running');
    while (((await waitForJob(id, () => true)).checkpoint?.recordNumber ?? 0) === 0)
      await new Promise((r) => setTimeout(r, 20));
    await database.stop('immediate');
    await new Promise((r) => setTimeout(r, 1000));
    await database.start();
    process.stdout.write(
      `[fault] injected: PostgreSQL stopped (immediate) for 1 s during an import (job was ${running.state})\n`,
    );
    const job = await waitForJob(id, (state) => state === 'succeeded' || state === 'failed');
    await expectExactlyOnce(id, rowCount);
    process.stdout.write(
      `[fault] verified: job succeeded once after ${job.attempts} attempt(s), ${rowCount} rows each stored once, service still up\n`,
    );
  });

  it('restarted while the last bytes arrive: the upload is finished and imported exactly once', async () => {
    const path = join(work, 'finish.csv');
    const rowCount = await writeCsvFixture(path, 2 * MiB);
    const content = await readFile(path);
    const created = await createUpload(baseUrl, TOKEN, content.length);
    expect(created.status).toBe(201);
    const id = created.url.split('/').pop() as string;
    const tail = 64 * 1024;
    expect((await patch(created.url, TOKEN, 0, content.subarray(0, content.length - tail))).status).toBe(204);

    // The last PATCH: headers and half its bytes, then the database goes away, then the rest.
    const last = http.request(created.url, {
      method: 'PATCH',
      headers: {
        'Tus-Resumable': '1.0.0',
        'Upload-Offset': content.length - tail,
        'Content-Type': 'application/offset+octet-stream',
        'Content-Length': tail,
        Authorization: `Bearer ${TOKEN}`,
      },
    });
    const answered = once(last, 'response') as Promise<[http.IncomingMessage]>;
    last.write(content.subarray(content.length - tail, content.length - tail / 2));
    await new Promise((r) => setTimeout(r, 500));
    await database.stop('fast');
    last.end(content.subarray(content.length - tail / 2));
    const [response] = await answered;
    response.resume();
    process.stdout.write(
      `[fault] injected: PostgreSQL stopped while the last 32 KiB of an upload arrived; that PATCH answered ${response.statusCode}\n`,
    );
    expect(response.statusCode).toBeGreaterThanOrEqual(500);
    await database.start();

    // What a client's retry sees: every byte is there.
    let offset = -1;
    for (let i = 0; i < 100 && offset !== content.length; i++) {
      offset = Number((await head(created.url, TOKEN)).headers['upload-offset']);
      if (offset !== content.length) await new Promise((r) => setTimeout(r, 200));
    }
    expect(offset).toBe(content.length);
    await waitForJob(id, (state) => state === 'succeeded' || state === 'failed');
    await expectExactlyOnce(id, rowCount);
    const [upload] = await query<{ state: string; sha256: string }>('SELECT state, sha256 FROM uploads WHERE id = $1', [
      id,
    ]);
    expect(upload).toEqual({ state: 'processed', sha256: createHash('sha256').update(content).digest('hex') });
    process.stdout.write(
      '[fault] verified: reconciliation queued the import once; it succeeded with exact rows and the sha256 of the file\n',
    );
  });
});
