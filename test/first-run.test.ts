// The README's first quick-start line on a machine with only Node.js: the
// repository's HEAD is cloned into a temporary folder and the line, read from
// README.md, runs with a PATH of node, npm, npx, git and sh (no pnpm), a fresh
// npm cache and global prefix, a temporary DATA_DIR and a free port. The
// service it starts must answer /healthz and import an upload. Uncommitted
// changes are not in the clone: this tests what is committed.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRequest, jobFinished, uploadIdFromUrl, waitForUpload } from './support/api-client.ts';
import { freePort } from './support/free-port.ts';
import { findProgram, programUnavailable } from './support/required-program.ts';
import { ROOT, type RunningProcess, runProgram, waitForOutput } from './support/service-process.ts';
import { tusUpload } from './support/tus-client.ts';

const run = promisify(execFile);

// npm, npx and git next to this node or on PATH; only programs a machine with Node.js has.
const programs = ['npm', 'npx', 'git'].map((name) => ({
  name,
  path: findProgram(join(dirname(process.execPath), name)) ?? findProgram(name),
}));

/** The first command of the README's quick start, without its comment. */
async function quickStartLine(): Promise<string> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split('\n## Quick start\n')[1] ?? '';
  const block = section.match(/```sh\n([\s\S]*?)```/)?.[1] ?? '';
  return (block.split('\n')[0] ?? '').replace(/\s+# .*$/, '').trim();
}

/** The test's environment without what the test runner (started by pnpm) put there. */
function outsideEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env))
    if (value !== undefined && !/^(npm_|pnpm|vitest|test_|node_options$|init_cwd$|database_url$|path$)/i.test(name))
      env[name] = value;
  return env;
}

/** SIGTERM to the process group the line started, then SIGKILL if it lingers. */
async function stopGroup(started: RunningProcess): Promise<void> {
  const pid = started.child.pid as number;
  const alive = () => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (alive()) process.kill(-pid, 'SIGTERM');
  const deadline = Date.now() + 20_000;
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  if (alive()) process.kill(-pid, 'SIGKILL');
}

describe.skipIf(
  programs.some(({ name, path }) => !path && programUnavailable(name, `install Node.js's npm and git (${name})`)),
)('first run from the README on a machine with only Node.js', () => {
  let root: string;
  let started: RunningProcess | undefined;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'csvup-first-run-'));
  });
  afterAll(async () => {
    if (started) await stopGroup(started);
    await rm(root, { recursive: true, force: true });
  });

  it('installs, starts, answers /healthz and imports an upload', { timeout: 420_000 }, async () => {
    const line = await quickStartLine();
    expect(line).toMatch(/start/);
    const clone = join(root, 'clone');
    const head = (await run('git', ['-C', ROOT, 'rev-parse', 'HEAD'])).stdout.trim();
    await run('git', ['clone', '--quiet', ROOT, clone]);
    await run('git', ['-C', clone, 'checkout', '--quiet', '--detach', head]);

    const bin = join(root, 'bin');
    const prefix = join(root, 'npm-global');
    await mkdir(bin);
    await symlink(process.execPath, join(bin, 'node'));
    for (const { name, path } of programs) await symlink(path as string, join(bin, name));
    await symlink('/bin/sh', join(bin, 'sh'));
    const port = await freePort();
    const env = {
      ...outsideEnvironment(),
      // A global install (npm install -g) would land in the prefix, and its bin is on PATH.
      PATH: [bin, join(prefix, 'bin')].join(delimiter),
      npm_config_prefix: prefix,
      npm_config_cache: join(root, 'npm-cache'),
      npm_config_update_notifier: 'false',
      DATA_DIR: join(root, 'data'),
      PORT: String(port),
    };
    // What the line finds on this PATH: no pnpm.
    const lookup = runProgram('/bin/sh', ['-c', 'command -v pnpm'], env, { cwd: clone, exactEnv: true });
    expect(await lookup.exited).not.toBe(0);

    started = runProgram('/bin/sh', ['-c', line], env, { cwd: clone, exactEnv: true, detached: true });
    const [, baseUrl, token] = await waitForOutput(
      started,
      /CSV upload service: (http:\/\/\S+?)\/#token=(\S+)/,
      360_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nstdout: ${started?.stdout().slice(-4000)}`);
    });
    expect(baseUrl).toBe(`http://127.0.0.1:${port}`);
    expect((await apiRequest(baseUrl as string, '/healthz', null)).status).toBe(200);

    const csv = join(root, 'people.csv');
    await writeFile(csv, 'id,name\n1,Ada\n2,Grace\n3,Linus\n');
    const { url } = await tusUpload({ endpoint: `${baseUrl}/files/`, token: token as string, path: csv });
    const { upload } = await waitForUpload(baseUrl as string, token as string, uploadIdFromUrl(url), jobFinished);
    expect(upload.job?.state).toBe('succeeded');
    expect(upload.job?.progress.rowsDone).toBe(3);

    // The whole tree the line started (sh, npm exec, pnpm, node) goes; nothing serves the port after.
    await stopGroup(started);
    await started.exited;
    started = undefined;
    await expect(fetch(`${baseUrl}/healthz`)).rejects.toThrow();
  });
});
