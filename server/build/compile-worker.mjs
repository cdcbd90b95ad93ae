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
 * Node flags of a worker process, measured on imports of a 1 GiB CSV (README,
 * Benchmarks). V8's defaults size the heap for speed, not for a process that
 * streams: garbage in the old generation may grow to ~4x what is live before a
 * full collection. Growing it by 50% at most keeps a worker ~25 MB lighter, for
 * a few cheap collections more. 4 MB semi-spaces (instead of 16) save another
 * ~20 MB at no measurable cost. Allocation-site pretenuring is off: once V8
 * decided (by chance, at some moment of high survival) to allocate the parser's
 * arrays in the old generation, they kept every young string they pointed at
 * alive, and full collections ran ten times a second. Source maps keep stack
 * traces pointing at the TypeScript.
 */
export const WORKER_NODE_FLAGS = [
  '--max-semi-space-size=4',
  '--heap-growing-percent=50',
  '--no-allocation-site-pretenuring',
  '--enable-source-maps',
];

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
    // Stack traces need the mappings only; the TypeScript sources would sit in memory for nothing.
    sourcesContent: false,
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
