// Creates a new embedded database (PGlite's initdb) in a child process. initdb
// grows PGlite's WebAssembly memory to ~800 MB, and WebAssembly memory is never
// given back: run in the service's own process, a first start kept ~800 MB of
// RSS until the next restart, where reopening the same database takes ~290 MB.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const CREATE = `const { PGlite } = require(process.argv[1]);
PGlite.create(process.argv[2]).then((db) => db.close()).catch((error) => {
  process.stderr.write(String(error && error.stack || error));
  process.exit(1);
});`;

/** Whether `directory` holds a database: PGlite runs initdb when PG_VERSION is missing, and so does this. */
export function embeddedDatabaseExists(directory: string): boolean {
  return existsSync(join(directory, 'PG_VERSION'));
}

export async function createEmbeddedDatabase(directory: string): Promise<void> {
  const pglite = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const child = spawn(process.execPath, ['-e', CREATE, pglite, directory], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0)
    throw new Error(`Creating the embedded database in ${directory} failed (exit ${code}): ${stderr.trim()}`);
}
