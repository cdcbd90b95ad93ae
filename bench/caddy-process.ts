// Real Caddy with the repository Caddyfile in front of a benchmark service,
// over plain http on loopback (TLS would measure the cipher, not the proxy).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/support/free-port.ts';
import { findProgram } from '../test/support/required-program.ts';
import { ROOT } from './bench-processes.ts';

export interface CaddyProxy {
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  stop(): Promise<void>;
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

/** Null when Caddy is not installed (the benchmark then says so instead of failing). */
export async function startCaddy(upstreamBaseUrl: string): Promise<CaddyProxy | null> {
  const caddy = findProgram('caddy');
  if (!caddy) return null;
  const home = await mkdtemp(join(tmpdir(), 'csvup-bench-caddy-'));
  const port = await freePort();
  const child = spawn(caddy, ['run', '--config', join(ROOT, 'Caddyfile'), '--adapter', 'caddyfile'], {
    env: {
      ...process.env,
      HOME: home,
      XDG_DATA_HOME: join(home, 'data'),
      XDG_CONFIG_HOME: join(home, 'config'),
      SITE_ADDRESS: `http://127.0.0.1:${port}`,
      UPSTREAM: new URL(upstreamBaseUrl).host,
    },
    stdio: 'ignore',
  });
  const deadline = Date.now() + 20_000;
  while (!(await portOpen(port))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error('caddy did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      await rm(home, { recursive: true, force: true });
    },
  };
}
