import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compiledServer } from './compile-server.mjs';

/** Packages a bundle loads at start: its static imports, and those of the chunks it statically imports. */
async function loadedAtStart(file: string, seen = new Set<string>()): Promise<string[]> {
  if (seen.has(file)) return [];
  seen.add(file);
  const text = await readFile(file, 'utf8');
  const specifiers = [...text.matchAll(/^import\b[^;]*?\bfrom\s*"([^"]+)"|^import\s*"([^"]+)"/gm)].map(
    (match) => (match[1] ?? match[2]) as string,
  );
  const packages = specifiers.filter((specifier) => !specifier.startsWith('.'));
  for (const local of specifiers.filter((specifier) => specifier.startsWith('.')))
    packages.push(...(await loadedAtStart(join(dirname(file), local), seen)));
  return packages;
}

const HEAVY = /^(@aws-sdk\/|@tus\/s3-store|@electric-sql\/pglite|kysely-pglite-dialect)/;

describe('the compiled bundles', () => {
  it('load the S3 SDK and the embedded database only when configured to use them', async () => {
    const { service, worker } = await compiledServer();
    for (const [bundle, needs] of [
      [worker, ['pg', 'pg-copy-streams', 'kysely']],
      [service, ['pg', 'fastify', '@tus/server', 'kysely']],
    ] as const) {
      const packages = await loadedAtStart(bundle);
      // What each needs is there, so the check reads the imports it means to.
      expect(packages).toEqual(expect.arrayContaining([...needs]));
      // A file-mode worker holding the AWS SDK was ~10 MB heavier (bundled, a lazily imported
      // module's own static imports had become the bundle's).
      expect(packages.filter((name) => HEAVY.test(name))).toEqual([]);
    }
    // The S3 modules are there, in chunks of their own, loaded when S3 storage is configured.
    expect(await readFile(service, 'utf8')).toMatch(/import\("\.\/upload-s3-store-\w+\.mjs"\)/);
  });
});
