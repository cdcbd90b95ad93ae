// `pnpm worker` runs the worker compiled into one JavaScript file, not through
// tsx: tsx's module loader lives in a thread of its own (~30 MB), a third of
// what an idle worker would otherwise hold. Our TypeScript is bundled; packages
// stay imports from node_modules. Plain JavaScript, so building needs no tsx.
//
//   node server/build/compile-worker.mjs    builds dist/worker-main.mjs
import { randomUUID } from 'node:crypto';
import { rename } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const WORKER_BUNDLE = `${ROOT}dist/worker-main.mjs`;
/**
 * Node flags of a worker process. A smaller young generation (8 MB semi-spaces
 * instead of 16) keeps an importing worker ~15 MB lighter at no measurable
 * cost in speed; source maps keep stack traces pointing at the TypeScript.
 */
export const WORKER_NODE_FLAGS = ['--max-semi-space-size=8', '--enable-source-maps'];

/** Builds the bundle; several builds at once (parallel test files) each write their own file, then rename it into place. */
export async function compileWorker() {
  const scratch = `${WORKER_BUNDLE}.${randomUUID()}.tmp.mjs`;
  await build({
    entryPoints: [`${ROOT}server/worker-main.ts`],
    outfile: scratch,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  await rename(scratch, WORKER_BUNDLE);
  return WORKER_BUNDLE;
}

/** @type {Promise<string> | undefined} */
let compiledOnce;

/** The bundle built once per process (tests and benchmarks start many workers). */
export function compiledWorker() {
  compiledOnce ??= compileWorker();
  return compiledOnce;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await compileWorker();
