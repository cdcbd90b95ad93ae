// `pnpm cli upload` rides out a server restart: the service runs as a child
// process on a fixed port, is stopped mid-upload and started again on the same
// port and data; the CLI's retries carry the upload and the import through.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadView } from '../server/uploads/upload-view.ts';
import { apiRequest } from './support/api-client.ts';
import { sha256File, writeCsvFixture } from './support/csv-fixtures.ts';
import { createTemporaryDatabase, type TemporaryDatabase } from './support/postgres-database.ts';
import { type RunningProcess, runEntryPoint, runServiceProcess, waitForOutput } from './support/service-process.ts';
import { databaseKind, databaseUnavailable } from './support/test-service.ts';
import { jsonLines, storedSha256 } from './support/upload-checks.ts';

const CLI = 'server/cli/main.ts';
const TOKEN = 'restart-test-token-0123456789';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

describe.skipIf(databaseUnavailable())(`pnpm cli upload across a server restart (${databaseKind})`, () => {
  let work: string;
  let temporary: TemporaryDatabase | undefined;
  let serverEnv: Record<string, string>;
  let baseUrl: string;
  const running: RunningProcess[] = [];

  async function startServer(): Promise<RunningProcess> {
    const server = await runServiceProcess(serverEnv);
    running.push(server);
    // Generous: `pnpm start`'s entry point may first (re)build the web UI.
    await waitForOutput(server, /CSV upload service: http/, 150_000);
    return server;
  }

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'csvup-cli-restart-'));
    if (databaseKind === 'postgres') temporary = await createTemporaryDatabase();
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    serverEnv = {
      DATA_DIR: join(work, 'data'),
      PORT: String(port),
      MIN_FREE_DISK_MB: '0',
      SHUTDOWN_GRACE_MS: '300',
      JOB_POLL_INTERVAL_MS: '250',
      AUTH_TOKENS: `restarter:${TOKEN}`,
      ...(temporary ? { DATABASE_URL: temporary.url } : {}),
    };
  });
  afterAll(async () => {
    for (const server of running) if (server.child.exitCode === null) server.child.kill('SIGKILL');
    await Promise.all(running.map((server) => server.exited));
    await temporary?.drop();
    await rm(work, { recursive: true, force: true });
  });

  it('keeps uploading through a restart and reports the import', async () => {
    const file = join(work, 'restart.csv');
    const rows = await writeCsvFixture(file, 12 * 1024 * 1024);
    const first = await startServer();
    const cli = runEntryPoint(
      CLI,
      ['upload', file, '--server', baseUrl, '--token', TOKEN, '--chunk-size', '128k', '--json'],
      { UPLOAD_CACHE_DIR: join(work, 'cache'), UPLOAD_PROGRESS_INTERVAL_MS: '1000' },
    );

    let upload: UploadView | undefined;
    for (const deadline = Date.now() + 60_000; !(upload && upload.offset > 0) && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 20));
      const listed = await apiRequest<{ uploads: UploadView[] }>(baseUrl, '/api/uploads', TOKEN);
      upload = listed.body.uploads?.[0];
    }
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(upload?.offset).toBeLessThan(upload?.size as number);
    // Down for a moment: the CLI's requests are refused and it backs off.
    await new Promise((r) => setTimeout(r, 1500));
    expect(cli.child.exitCode).toBeNull();
    await startServer();

    expect(await cli.exited).toBe(0);
    expect(cli.stderr()).toMatch(/^restart\.csv: connect ECONNREFUSED \S+; retry \d+\/\d+ in \d+s$/m);
    expect(cli.stderr()).toMatch(/^restart\.csv: continuing at byte \d+$/m);
    const [result, ...rest] = jsonLines(cli.stdout());
    expect(rest).toEqual([]);
    expect(result).toMatchObject({ id: upload?.id, status: 'imported', rowsImported: rows, rowsRejected: 0 });
    expect(await storedSha256(baseUrl, TOKEN, upload?.id as string)).toBe(await sha256File(file));
  }, 300_000);
});
