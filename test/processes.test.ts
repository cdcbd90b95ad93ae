// The service as a user runs it: `pnpm start` prints a URL with a token that
// works; the CLI creates tokens and refuses to open an embedded database the
// server holds; SIGTERM ends in-flight PATCHes cleanly, keeping their bytes;
// a bad configuration value exits non-zero naming the variable.

import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { apiRequest } from './support/api-client.ts';
import { createTemporaryDatabase, type TemporaryDatabase } from './support/postgres-database.ts';
import { createUpload, head } from './support/raw-tus.ts';
import { runServiceProcess, runServiceToEnd, runToEnd, waitForOutput } from './support/service-process.ts';
import { databaseKind, databaseUnavailable } from './support/test-service.ts';

const CLI = 'server/cli/main.ts';

describe.skipIf(databaseUnavailable())(`service and CLI processes (${databaseKind})`, () => {
  let dataDir: string;
  let temporary: TemporaryDatabase | undefined;
  let env: Record<string, string>;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'csvup-proc-'));
    if (databaseKind === 'postgres') temporary = await createTemporaryDatabase();
    env = {
      DATA_DIR: dataDir,
      PORT: '0',
      MIN_FREE_DISK_MB: '0',
      SHUTDOWN_GRACE_MS: '1500',
      ...(temporary ? { DATABASE_URL: temporary.url } : {}),
    };
  });
  afterAll(async () => {
    await temporary?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('exits non-zero naming the variable on a bad configuration value', async () => {
    for (const [name, value] of [
      ['PORT', 'abc'],
      ['MAX_FILE_SIZE', '-1'],
    ]) {
      const result = await runServiceToEnd({ ...env, [name]: value as string });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(`Invalid configuration: ${name}`);
    }
  });

  it('starts, serves with its token, and shuts down cleanly keeping in-flight bytes', async () => {
    const server = await runServiceProcess(env);
    // A failed assertion must not leave a server holding the data directory for the next test.
    onTestFinished(() => {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    });
    const [, baseUrl] = await waitForOutput(server, /CSV upload service: (http:\/\/\S+?)(\/#token=|\s)/);
    let token: string;
    if (databaseKind === 'embedded') {
      token = (await waitForOutput(server, /#token=(\S+)/))[1] as string;
      // The CLI must not open the embedded database the server holds.
      const busy = await runToEnd(CLI, ['token', 'create', 'zed'], env);
      expect(busy.code).toBe(2);
      expect(busy.stderr).toMatch(/in use by process \d+/);
    } else {
      const created = await runToEnd(CLI, ['token', 'create', 'zed'], env);
      expect(created.code).toBe(0);
      token = created.stdout.trim();
    }
    expect((await apiRequest(`${baseUrl}`, '/api/uploads', token)).status).toBe(200);
    // The built dashboard (pnpm start builds it when missing).
    const page = await apiRequest<string>(`${baseUrl}`, '/', null);
    expect(page.body).toContain('<title>CSV upload</title>');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");

    // A PATCH that is still sending when SIGTERM arrives.
    const created = await createUpload(baseUrl as string, token, 10 * 1024 * 1024);
    const request = http.request(created.url, {
      method: 'PATCH',
      headers: {
        'Tus-Resumable': '1.0.0',
        'Upload-Offset': 0,
        'Content-Type': 'application/offset+octet-stream',
        'Content-Length': 10 * 1024 * 1024,
        Authorization: `Bearer ${token}`,
      },
    });
    request.on('error', () => {});
    request.write(Buffer.alloc(1024 * 1024, 0x61));
    await new Promise((r) => setTimeout(r, 300));
    const stoppedAt = Date.now();
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(15_000);
    request.destroy();

    // Restarted, the server reports exactly the bytes that arrived before the shutdown.
    const again = await runServiceProcess(env);
    onTestFinished(() => {
      if (again.child.exitCode === null) again.child.kill('SIGKILL');
    });
    const [, newBaseUrl] = await waitForOutput(again, /CSV upload service: (http:\/\/\S+?)(\/#token=|\s)/);
    const url = created.url.replace(baseUrl as string, newBaseUrl as string);
    const status = await head(url, token);
    expect(status.status).toBe(200);
    expect(Number(status.headers['upload-offset'])).toBe(1024 * 1024);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });

  it('creates a token from the CLI that prints only the token', async () => {
    const result = await runToEnd(CLI, ['token', 'create', 'yolanda'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^cut_[A-Za-z0-9_-]{43}\n$/);
    const usage = await runToEnd(CLI, ['token', 'create'], env);
    expect(usage.code).toBe(2);
  });
});
