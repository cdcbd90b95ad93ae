import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { compiledWorker } from './compile-worker.mjs';

/** Packages the bundle imports at load time (static `import … from "…"` lines). */
function loadedAtStart(bundle: string): string[] {
  return [...bundle.matchAll(/^import\b[^;]*?\bfrom\s*"([^"]+)"/gm)].map((match) => match[1] as string);
}

describe('the worker bundle', () => {
  it('loads the S3 SDK and the embedded database only when configured to use them', async () => {
    const bundle = await readFile(await compiledWorker(), 'utf8');
    const packages = loadedAtStart(bundle);
    // What every worker needs is there, so the check reads the imports it means to.
    expect(packages).toEqual(expect.arrayContaining(['pg', 'pg-copy-streams', 'kysely']));
    // A file-mode worker holding the AWS SDK was ~10 MB heavier (bundling turns a
    // lazily imported module's own static imports into the bundle's).
    const heavy = packages.filter((name) =>
      /^(@aws-sdk\/|@tus\/s3-store|@electric-sql\/pglite|kysely-pglite-dialect)/.test(name),
    );
    expect(heavy).toEqual([]);
    expect(bundle).toContain('import("@aws-sdk/client-s3")');
  });
});
