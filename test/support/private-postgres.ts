// A private PostgreSQL server for the suites that stop and restart it (the
// shared one serves other suites at the same time and must never be touched):
// initdb + pg_ctl as the `postgres` OS user, on a free port, in a temporary
// directory, removed afterwards.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.ts';
import { findProgram } from './required-program.ts';

const run = promisify(execFile);

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  /** pg_ctl stop: `fast` (clients disconnected, clean) or `immediate` (like a crash). */
  stop(mode: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** The newest installed server's bin directory (Debian layout), or null. */
function serverBinDirectory(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  const found = versions.map((v) => join(root, v, 'bin')).find((dir) => existsSync(join(dir, 'initdb')));
  return found ?? null;
}

/** True when a private server cannot be run here (and says why); throws in CI. */
export function privatePostgresUnavailable(): boolean {
  let reason = '';
  if (!serverBinDirectory()) reason = 'the PostgreSQL server binaries are not installed (apt-get install postgresql)';
  else if (process.getuid?.() !== 0 || !findProgram('runuser'))
    reason = 'running a private PostgreSQL as the postgres user needs root and runuser';
  if (!reason) return false;
  if (process.env.CI === 'true') throw new Error(`${reason}; CI requires it`);
  process.stderr.write(`\n${reason}: the database-restart fault suite is SKIPPED\n`);
  return true;
}

async function asPostgres(program: string, args: string[]): Promise<void> {
  await run('runuser', ['-u', 'postgres', '--', program, ...args], { timeout: 60_000 });
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = serverBinDirectory() as string;
  const home = await mkdtemp(join(tmpdir(), 'csvup-private-pg-'));
  const { stdout } = await run('id', ['-u', 'postgres']);
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  await chown(home, Number(stdout.trim()), Number(gid.trim()));
  const data = join(home, 'data');
  const port = await freePort();
  await asPostgres(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync']);
  // The socket lives in the private directory; fsync off: nothing here must survive an OS crash.
  const serverOptions = `-p ${port} -k ${home} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
  const pgCtl = (args: string[]) => asPostgres(join(bin, 'pg_ctl'), ['-D', data, '-w', '-t', '30', ...args]);
  const start = () => pgCtl(['-l', join(home, 'server.log'), '-o', serverOptions, 'start']);
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: (mode) => pgCtl(['-m', mode, 'stop']),
    start,
    async destroy() {
      await pgCtl(['-m', 'immediate', 'stop']).catch(() => {});
      await rm(home, { recursive: true, force: true });
    },
  };
}
