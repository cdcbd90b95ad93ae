// `pnpm start` and `pnpm worker` run the service compiled into plain
// JavaScript, not through tsx: tsx's module loader lives in a thread of its own,
// and an idle API process was 155 MB through tsx against 107 MB compiled. Our
// TypeScript is bundled (modules imported lazily, such as the S3 store, become
// chunks of their own, loaded when imported); packages stay imports from
// node_modules. Plain JavaScript, so building needs no tsx.
//
//   node server/build/compile-server.mjs    builds dist/main.mjs and dist/worker-main.mjs
import { randomUUID } from 'node:crypto';
import { readdir, rename, rm } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST = `${ROOT}dist/`;
/** What `pnpm start` runs: API, tus, web UI and an in-process worker. */
export const SERVICE_BUNDLE = `${DIST}main.mjs`;
/** What `pnpm worker` runs. */
export const WORKER_BUNDLE = `${DIST}worker-main.mjs`;
const ENTRIES = { main: `${ROOT}server/main.ts`, 'worker-main': `${ROOT}server/worker-main.ts` };

/** Source maps keep stack traces pointing at the TypeScript. */
const SOURCE_MAPS = '--enable-source-maps';
/**
 * Node flags of the service process. Semi-spaces are 8 MB from the start
 * (V8 starts them at 1 MB and grows them to 16): from 1 MB, in about half the
 * runs (it depends on how the heap was sized during start-up) a full
 * collection followed nearly every young one during an upload, ~36 per GiB
 * instead of 1, and a third more CPU; starting at 8 MB it was 1 in every run.
 * Capping them at 8 MB as well keeps ~8 MB less of upload buffers waiting for
 * a young collection to free them (README, Benchmarks); smaller semi-spaces (1,
 * 2 or 4 MB) brought back a full collection every ~50 ms during a single
 * upload. Upload buffers are collected by bytes instead
 * (server/tus/upload-buffer-collector.ts); those extra young collections
 * promote what is in flight, and old space grew ~8 MB with each round of 50
 * concurrent uploads before V8 collected it. Growing the heap by 50% at most
 * (as the worker does) bounds that: 50 concurrent uploads peaked at ~130 MB
 * instead of 137-143 MB, for 4 full collections in 6 GiB of single uploads
 * instead of 1.
 */
export const SERVICE_NODE_FLAGS = [
  '--min-semi-space-size=8',
  '--max-semi-space-size=8',
  '--heap-growing-percent=50',
  SOURCE_MAPS,
];
/**
 * Node flags of a worker process, measured on imports of a 1 GiB CSV (README,
 * Benchmarks). V8's defaults size the heap for speed, not for a process that
 * streams: garbage in the old generation may grow to ~4x what is live before a
 * full collection. Growing it by 50% at most keeps a worker ~25 MB lighter, for
 * a few cheap collections more. 2 MB semi-spaces (instead of 16) save another
 * ~24 MB at no measurable cost (4 MB ones peaked 4 MiB higher on a 256 MiB import,
 * with the same worker CPU time). Allocation-site pretenuring is off: once V8
 * decided (by chance, at some moment of high survival) to allocate the parser's
 * arrays in the old generation, they kept every young string they pointed at
 * alive, and full collections ran ten times a second.
 */
export const WORKER_NODE_FLAGS = [
  '--max-semi-space-size=2',
  '--heap-growing-percent=50',
  '--no-allocation-site-pretenuring',
  SOURCE_MAPS,
];

/**
 * Builds both bundles. Several builds at once (parallel test files) each write a
 * folder of their own, then move its files into dist/: chunks first (their names
 * carry a hash of their content, so a chunk replaced by another build is the
 * same file), the entry points last, so an entry never names a missing chunk.
 */
export async function compileServer() {
  const scratch = `${DIST}.build-${randomUUID()}/`;
  try {
    await build({
      entryPoints: ENTRIES,
      outdir: scratch,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      splitting: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: 'inline',
      // Stack traces need the mappings only; the TypeScript sources would sit in memory for nothing.
      sourcesContent: false,
      logLevel: 'warning',
    });
    const files = await readdir(scratch);
    const entries = Object.keys(ENTRIES).map((name) => `${name}.mjs`);
    for (const file of files.filter((name) => !entries.includes(name))) await rename(scratch + file, DIST + file);
    for (const file of entries) await rename(scratch + file, DIST + file);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return { service: SERVICE_BUNDLE, worker: WORKER_BUNDLE };
}

/** @type {Promise<{ service: string, worker: string }> | undefined} */
let compiledOnce;

/** The bundles built once per process (tests and benchmarks start many services and workers). */
export function compiledServer() {
  compiledOnce ??= compileServer();
  return compiledOnce;
}

/** The worker bundle, built once per process. */
export async function compiledWorker() {
  return (await compiledServer()).worker;
}

/** The service bundle, built once per process. */
export async function compiledService() {
  return (await compiledServer()).service;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await compileServer();
