// The processes benchmarks measure, each a real child: the service and a
// worker (the bundles `pnpm start` and `pnpm worker` run) and the small scripts in
// bench/scripts/; plus RSS sampling of a child from /proc/<pid>/status.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  compiledService,
  compiledWorker,
  SERVICE_NODE_FLAGS,
  WORKER_NODE_FLAGS,
} from '../server/build/compile-server.mjs';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The token every benchmark service accepts (AUTH_TOKENS). */
export const BENCH_TOKEN = 'bench-token-0123456789abcdef';

export interface BenchProcess {
  child: ChildProcess;
  pid: number;
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves once it has exited. */
  stop(): Promise<void>;
}

export function spawnTs(entry: string, args: string[], env: Record<string, string | undefined>): BenchProcess {
  return spawnNode(['--import', 'tsx', entry, ...args], env);
}

/** A `pnpm worker` process: the compiled worker bundle with the Node flags `pnpm worker` uses. */
export async function spawnWorker(env: Record<string, string | undefined>): Promise<BenchProcess> {
  return spawnNode([...WORKER_NODE_FLAGS, await compiledWorker()], env);
}

function spawnNode(args: string[], env: Record<string, string | undefined>): BenchProcess {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return {
    child,
    pid: child.pid ?? 0,
    output: () => text,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.kill('SIGTERM');
      await once(child, 'exit');
      clearTimeout(killer);
    },
  };
}

/** Waits until the process prints something matching `pattern`; fails if it exits first. */
export async function waitForText(proc: BenchProcess, pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = proc.output().match(pattern);
    if (match) return match;
    if (proc.child.exitCode !== null) throw new Error(`process exited early:\n${proc.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `pnpm start`'s bundle on a free port; resolves with its base URL once it listens. */
export async function startServiceProcess(
  env: Record<string, string | undefined>,
): Promise<BenchProcess & { baseUrl: string }> {
  const proc = spawnNode([...SERVICE_NODE_FLAGS, await compiledService()], {
    PORT: '0',
    MIN_FREE_DISK_MB: '0',
    AUTH_TOKENS: `bench:${BENCH_TOKEN}`,
    RATE_LIMIT_API_PER_MINUTE: '0',
    RATE_LIMIT_UPLOADS_PER_MINUTE: '0',
    MAX_UNFINISHED_UPLOADS_PER_OWNER: '1000',
    TRUST_PROXY: 'true',
    ...env,
  });
  const [, baseUrl] = await waitForText(proc, /CSV upload service: (http:\/\/[^\s/]+)/);
  return { ...proc, baseUrl: baseUrl as string };
}

/** Resident set size of a process, in bytes (0 once it has gone). */
export function rssBytes(pid: number): number {
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Threads a process has now (0 once it has gone). */
export function threadCount(pid: number): number {
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(/Threads:\s+(\d+)/);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system) a process has used so far, summed over all its threads. */
export function cpuSeconds(pid: number): number {
  let ticks = 0;
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
      const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    }
  } catch {
    // A thread that ended between the listing and the read, or the process gone: what was counted.
  }
  // USER_HZ is 100 on Linux.
  return ticks / 100;
}

/** Samples a process's RSS every `intervalMs` until stopped; returns the peak. */
export function sampleRss(pid: number, intervalMs = 50): { stop(): number } {
  let peak = rssBytes(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssBytes(pid));
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssBytes(pid));
    },
  };
}

/** Runs a bench/scripts/ program to its end and parses the JSON line it prints last. */
export async function runScript<T>(entry: string, input: unknown): Promise<T> {
  const proc = spawnTs(entry, [JSON.stringify(input)], {});
  const [code] = (await once(proc.child, 'exit')) as [number | null];
  const lines = proc.output().trim().split('\n');
  if (code !== 0) throw new Error(`${entry} failed (exit ${code}):\n${proc.output()}`);
  return JSON.parse(lines[lines.length - 1] as string) as T;
}

export const MiB = 1024 * 1024;
/** MB/s (10^6 bytes per second), as the README's figures. */
export const megabytesPerSecond = (bytes: number, ms: number) => Math.round((bytes / 1e6 / (ms / 1000)) * 10) / 10;
export const mebibytes = (bytes: number) => Math.round(bytes / MiB);
