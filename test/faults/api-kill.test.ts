// Fault: the API process (`pnpm start`'s bundle, PostgreSQL mode) killed with -9
// while 10 tus-js-client uploads are sending, then started again on the same
// port. The upload locks the dead process held (session advisory locks) are
// free the moment it is gone, so no resumed PATCH waits for a lock timeout.
// Every client retries, resumes the same upload from the server's offset,
// and every stored file ends byte-identical.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256File, writeCsvFixture } from '../support/csv-fixtures.ts';
import { freePort } from '../support/free-port.ts';
import { createTemporaryDatabase, type TemporaryDatabase } from '../support/postgres-database.ts';
import { type RunningProcess, runServiceProcess, waitForOutput } from '../support/service-process.ts';
import { databaseUnavailable } from '../support/test-service.ts';
import { tusUpload } from '../support/tus-client.ts';

const MiB = 1024 * 1024;
const TOKEN = 'fault-token-0123456789abcdef';
const FILES = 10;

// The API process on a real server, so a restart finds everything where it was: PostgreSQL only.
// PostgreSQL only (vitest.config.ts keeps it out of the embedded project).
const suite = describe.skipIf(databaseUnavailable());

suite('fault: API process killed with -9 during 10 uploads (postgres)', () => {
  let database: TemporaryDatabase;
  let work: string;
  let port: number;
  let server: RunningProcess | undefined;

  function startApi(): Promise<RunningProcess> {
    return runServiceProcess({
      PORT: String(port),
      DATA_DIR: join(work, 'data'),
      DATABASE_URL: database.url,
      WORKER_CONCURRENCY: '0',
      AUTH_TOKENS: `faults:${TOKEN}`,
      MIN_FREE_DISK_MB: '0',
      RATE_LIMIT_API_PER_MINUTE: '0',
      RATE_LIMIT_UPLOADS_PER_MINUTE: '0',
      // Longer than the clients' whole retry schedule: a resumed PATCH that had to wait for a
      // lock the dead process still held would fail the run instead of getting through.
      TUS_LOCK_TIMEOUT_MS: '60000',
    });
  }

  /** Advisory locks held in the test database (upload locks, the maintenance leader's). */
  async function heldAdvisoryLocks(client: pg.Client): Promise<number> {
    const { rows } = await client.query<{ held: number }>(
      `SELECT count(*)::int AS held FROM pg_locks
       WHERE locktype = 'advisory' AND granted
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    return rows[0]?.held ?? 0;
  }

  beforeAll(async () => {
    database = await createTemporaryDatabase();
    work = await mkdtemp(join(tmpdir(), 'csvup-fault-api-'));
    port = await freePort();
  });
  afterAll(async () => {
    server?.child.kill('SIGKILL');
    await server?.exited;
    await database?.drop();
    await rm(work, { recursive: true, force: true });
  });

  it('every upload resumes after the restart and ends byte-identical', async () => {
    const base = join(work, 'base.csv');
    await writeCsvFixture(base, 6 * MiB);
    const body = await readFile(base);
    const files: string[] = [];
    for (let i = 0; i < FILES; i++) {
      files.push(join(work, `upload-${i}.csv`));
      // Distinct contents, so a mix-up between uploads cannot pass the check.
      await writeFile(files[i] as string, Buffer.concat([Buffer.from(`upload number ${i}\r\n`), body]));
    }
    server = await startApi();
    await waitForOutput(server, /CSV upload service/);

    const sent = new Array<number>(FILES).fill(0);
    const total = FILES * body.length;
    const uploads = files.map((path, i) =>
      tusUpload({
        endpoint: `http://127.0.0.1:${port}/files/`,
        token: TOKEN,
        path,
        chunkSize: 2 * MiB,
        // Long enough to span the restart (tsx start-up, migrations check) on a busy machine.
        retryDelays: [200, 500, 1000, 1000, 1000, 2000, 2000, 2000, 2000, 2000, 3000, 3000, 3000, 5000],
        abortWhen: (bytes) => {
          sent[i] = bytes;
          return false;
        },
      }),
    );
    const sum = () => sent.reduce((a, b) => a + b, 0);
    const observer = new pg.Client({ connectionString: database.url });
    await observer.connect();
    // The maintenance leader's lock plus at least one upload lock: a PATCH is being written.
    let heldAtKill = 0;
    for (;;) {
      if (sum() >= total * 0.25) {
        heldAtKill = await heldAdvisoryLocks(observer);
        if (heldAtKill >= 2) break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    const sentAtKill = sum();
    server.child.kill('SIGKILL');
    expect(await server.exited).toBe('SIGKILL');
    const exitedAt = performance.now();
    process.stdout.write(
      `[fault] injected: kill -9 of the API process with ${Math.round((sentAtKill / total) * 100)}% of 10 uploads sent, holding ${heldAtKill} advisory locks\n`,
    );
    // PostgreSQL ends the dead process's sessions, and their locks, as soon as its sockets close.
    while ((await heldAdvisoryLocks(observer)) > 0) {
      if (performance.now() - exitedAt > 10_000) throw new Error('the dead process still holds its locks');
      await new Promise((r) => setTimeout(r, 5));
    }
    const freedAfter = performance.now() - exitedAt;
    await observer.end();
    process.stdout.write(`[fault] its locks were free ${Math.round(freedAfter)} ms after it exited\n`);
    await new Promise((r) => setTimeout(r, 500));
    server = await startApi();
    await waitForOutput(server, /CSV upload service/);

    const results = await Promise.all(uploads);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      // Resumed, not restarted: still exactly one upload row per file, all finished, one job each.
      const rows = await client.query<{ id: string; state: string; size: number; jobs: number }>(
        'SELECT u.id, u.state, u.size::int AS size, (SELECT count(*)::int FROM jobs j WHERE j.upload_id = u.id) AS jobs FROM uploads u',
      );
      expect(rows.rows).toHaveLength(FILES);
      for (const row of rows.rows) expect([row.state, row.jobs]).toEqual(['uploaded', 1]);
    } finally {
      await client.end();
    }
    for (const [i, result] of results.entries()) {
      const id = new URL(result.url).pathname.split('/').pop() as string;
      expect(await sha256File(join(work, 'data', 'uploads', id))).toBe(await sha256File(files[i] as string));
    }
    process.stdout.write(
      `[fault] verified: ${FILES} uploads resumed on the restarted API, one upload row and one job each, all byte-identical (sha256)\n`,
    );
  });
});
