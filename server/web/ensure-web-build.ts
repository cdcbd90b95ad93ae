// Builds the web UI (web/ → web/dist) with Vite when the build is missing or
// older than its sources, so `pnpm start` always serves a current page.
// Vite lives in web/node_modules, so it runs as its own process from there.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';

export interface EnsureWebBuildOptions {
  /** The web package: index.html, vite.config.ts, src/, node_modules/ (with vite). */
  webDir: string;
  logger?: Logger;
}

const SOURCES = ['index.html', 'vite.config.ts', 'package.json', 'src'];
/** A lock left behind by a killed build is taken over after this long. */
const STALE_LOCK_MS = 5 * 60_000;

async function newestMtime(path: string): Promise<number> {
  const info = await stat(path).catch(() => null);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path);
  const times = await Promise.all(entries.map((entry) => newestMtime(join(path, entry))));
  return Math.max(info.mtimeMs, ...times);
}

/** True when web/dist/index.html exists and is newer than every source file. */
export async function webBuildIsCurrent(webDir: string): Promise<boolean> {
  const built = await stat(join(webDir, 'dist', 'index.html')).catch(() => null);
  if (!built) return false;
  const sources = await Promise.all(SOURCES.map((name) => newestMtime(join(webDir, name))));
  return built.mtimeMs >= Math.max(...sources);
}

async function runViteBuild(webDir: string): Promise<void> {
  const vite = join(webDir, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(vite)) throw new Error(`Vite is not installed in ${webDir}: run "pnpm install"`);
  const child = spawn(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: webDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`vite build failed (exit ${code}):\n${output.trim()}`);
}

/** One build at a time per web folder on this machine (parallel test runs share web/dist). */
async function withBuildLock<T>(webDir: string, work: () => Promise<T>): Promise<T> {
  const key = createHash('sha256').update(webDir).digest('hex').slice(0, 16);
  const lock = join(tmpdir(), `csv-upload-web-build-${key}.lock`);
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const held = await stat(lock).catch(() => null);
      if (held && Date.now() - held.mtimeMs > STALE_LOCK_MS) await rm(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/** Builds when needed; resolves with what it did. */
export async function ensureWebBuild(options: EnsureWebBuildOptions): Promise<'current' | 'built'> {
  const { webDir, logger } = options;
  if (await webBuildIsCurrent(webDir)) return 'current';
  return withBuildLock(webDir, async () => {
    // Someone else may have built it while we waited for the lock.
    if (await webBuildIsCurrent(webDir)) return 'current';
    logger?.info({ webDir }, 'building the web UI');
    const started = performance.now();
    await runViteBuild(webDir);
    logger?.info({ ms: Math.round(performance.now() - started) }, 'web UI built');
    return 'built';
  });
}
