// Runs `pnpm start`'s and `pnpm worker`'s bundles (and the CLI) as real child
// processes, the way a user does, and reads what they print.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import {
  compiledService,
  compiledWorker,
  SERVICE_NODE_FLAGS,
  WORKER_NODE_FLAGS,
} from '../../server/build/compile-server.mjs';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface RunningProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
}

export function runEntryPoint(entry: string, args: string[], env: Record<string, string>): RunningProcess {
  return runNode(['--import', 'tsx', entry, ...args], env);
}

/** A `pnpm start` process: the compiled service bundle, with the Node flags `pnpm start` uses. */
export async function runServiceProcess(env: Record<string, string>): Promise<RunningProcess> {
  return runNode([...SERVICE_NODE_FLAGS, await compiledService()], env);
}

/** A `pnpm worker` process: the compiled worker bundle, with the Node flags `pnpm worker` uses. */
export async function runWorkerProcess(env: Record<string, string>): Promise<RunningProcess> {
  return runNode([...WORKER_NODE_FLAGS, await compiledWorker()], env);
}

/**
 * A `pnpm start` process on a pseudo-terminal, as in a person's shell: util-linux
 * `script` gives it a TTY for stdout and passes everything it prints through.
 */
export async function runServiceInTerminal(env: Record<string, string>): Promise<RunningProcess> {
  const command = [process.execPath, ...SERVICE_NODE_FLAGS, await compiledService()]
    .map((part) => `'${part.replaceAll("'", `'\\''`)}'`)
    .join(' ');
  return runProgram('script', ['--quiet', '--flush', '--return', '--command', command, '/dev/null'], env);
}

function runNode(args: string[], env: Record<string, string>): RunningProcess {
  return runProgram(process.execPath, args, env);
}

export interface ProgramOptions {
  /** Default: the repository. */
  cwd?: string;
  /** Exactly this environment, instead of the test's own with `env` on top. */
  exactEnv?: boolean;
  /** In a process group of its own, so the whole tree it starts can be signalled (kill(-pid)). */
  detached?: boolean;
}

export function runProgram(
  program: string,
  args: string[],
  env: Record<string, string>,
  options: ProgramOptions = {},
): RunningProcess {
  const child = spawn(program, args, {
    cwd: options.cwd ?? ROOT,
    env: options.exactEnv ? env : { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Waits until the process prints a line matching `pattern`, or fails on exit/timeout. */
export async function waitForOutput(
  process: RunningProcess,
  pattern: RegExp,
  timeoutMs = 60_000,
): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = process.stdout().match(pattern);
    if (match) return match;
    if (process.child.exitCode !== null) throw new Error(`process exited early: ${process.stderr()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; stderr: ${process.stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function runToEnd(entry: string, args: string[], env: Record<string, string>) {
  return outcomeOf(runEntryPoint(entry, args, env));
}

/** A `pnpm start` process run until it exits (a start-up error). */
export async function runServiceToEnd(env: Record<string, string>) {
  return outcomeOf(await runServiceProcess(env));
}

async function outcomeOf(run: RunningProcess) {
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}
