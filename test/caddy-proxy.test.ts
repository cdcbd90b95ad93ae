// The repository's Caddyfile, run by real Caddy in front of the service: a
// ≥ 100 MB tus upload over https (Caddy's local CA, trusted by the client)
// and over http arrives byte-identical, with Location URLs that carry the
// proxy's scheme and host (TRUST_PROXY=true on the app).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tus from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256File, writeCsvFixture } from './support/csv-fixtures.ts';
import { freePort } from './support/free-port.ts';
import { findProgram, programUnavailable } from './support/required-program.ts';
import { ROOT } from './support/service-process.ts';
import { startTestService, type TestService } from './support/test-service.ts';

const MiB = 1024 * 1024;

/** Polls `probe` every 100 ms until it answers true; fails after `timeoutMs` naming what never came. */
async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/**
 * Caddy listens before its local CA has issued the certificate for localhost;
 * a handshake in between gets a TLS "internal error" alert. True once one works.
 */
function tlsAnswers(port: number, ca: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const request = https.get({ host: 'localhost', port, path: '/healthz', ca }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('error', () => resolve(false));
  });
}

/** tus-js-client with 50 MiB chunks (under Caddy's per-request body limit), trusting `ca` for https. */
function upload(endpoint: string, token: string, path: string, ca?: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const job = new tus.Upload(createReadStream(path), {
      endpoint,
      chunkSize: 50 * MiB,
      headers: { Authorization: `Bearer ${token}` },
      metadata: { filename: 'through-caddy.csv', filetype: 'text/csv' },
      retryDelays: [100, 500],
      httpStack: new tus.DefaultHttpStack(ca ? { ca } : {}),
      onSuccess: () => resolve(job.url ?? ''),
      onError: reject,
    });
    job.start();
  });
}

// Caddy does not depend on the database: vitest.config.ts runs this file in the embedded project only.
describe.skipIf(programUnavailable('caddy', 'apt-get install caddy'))(
  'uploads through Caddy with the repository Caddyfile',
  () => {
    let harness: TestService;
    let token: string;
    let caddy: ChildProcess;
    let caddyHome: string;
    let csvPath: string;
    let httpsPort: number;
    let httpPort: number;

    beforeAll(async () => {
      harness = await startTestService({ env: { TRUST_PROXY: 'true', WORKER_CONCURRENCY: '0' } });
      token = await harness.tokenFor('pat');
      caddyHome = await mkdtemp(join(tmpdir(), 'csvup-caddy-'));
      csvPath = join(caddyHome, 'big.csv');
      await writeCsvFixture(csvPath, 100 * MiB);
      httpsPort = await freePort();
      httpPort = await freePort();
      caddy = spawn(
        findProgram('caddy') as string,
        ['run', '--config', join(ROOT, 'Caddyfile'), '--adapter', 'caddyfile'],
        {
          env: {
            ...process.env,
            HOME: caddyHome,
            XDG_DATA_HOME: join(caddyHome, 'data'),
            XDG_CONFIG_HOME: join(caddyHome, 'config'),
            SITE_ADDRESS: `https://localhost:${httpsPort}, http://localhost:${httpPort}`,
            UPSTREAM: new URL(harness.baseUrl).host,
          },
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      await Promise.all([httpsPort, httpPort].map((port) => until(`a listener on ${port}`, () => portOpen(port))));
    });
    afterAll(async () => {
      if (caddy && caddy.exitCode === null) {
        caddy.kill('SIGTERM');
        await once(caddy, 'exit');
      }
      await harness?.stop();
      await rm(caddyHome, { recursive: true, force: true });
    });

    it('uploads over https, trusting Caddy’s local CA, with https Location URLs', async () => {
      const rootCert = join(caddyHome, 'data', 'caddy', 'pki', 'authorities', 'local', 'root.crt');
      for (let i = 0; i < 100 && !existsSync(rootCert); i++) await new Promise((r) => setTimeout(r, 100));
      const ca = await readFile(rootCert);
      await until('a working TLS handshake', () => tlsAnswers(httpsPort, ca));
      const url = await upload(`https://localhost:${httpsPort}/files/`, token, csvPath, ca);
      expect(url).toMatch(new RegExp(`^https://localhost:${httpsPort}/files/[0-9a-f]{32}$`));
      const id = url.split('/').pop() as string;
      expect(await sha256File(harness.fileStore.filePath(id))).toBe(await sha256File(csvPath));
    });

    it('uploads over http with http Location URLs', async () => {
      const url = await upload(`http://localhost:${httpPort}/files/`, token, csvPath);
      expect(url).toMatch(new RegExp(`^http://localhost:${httpPort}/files/[0-9a-f]{32}$`));
      const id = url.split('/').pop() as string;
      expect(await sha256File(harness.fileStore.filePath(id))).toBe(await sha256File(csvPath));
    });
  },
);
