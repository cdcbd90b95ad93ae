// The inputs `pnpm cli upload` reads from disk before uploading: the files must
// exist, the mapping must be JSON, and a token must be found. All usage errors.
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UsageError } from '../usage-error.ts';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export async function checkFilesExist(files: string[]): Promise<void> {
  for (const file of files) {
    const info = await stat(file).catch(() => null);
    if (!info) throw new UsageError(`no such file: ${file}`);
    if (!info.isFile()) throw new UsageError(`not a regular file: ${file}`);
  }
}

/** The mapping file's JSON, re-serialised compactly for the `mapping` metadata. */
export async function readMappingFile(path: string): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => {
    throw new UsageError(`--mapping: cannot read ${path}`);
  });
  try {
    return JSON.stringify(JSON.parse(text));
  } catch (error) {
    throw new UsageError(`--mapping: ${path} is not valid JSON (${(error as Error).message})`);
  }
}

/**
 * --token, else UPLOAD_TOKEN, else (for a server on this machine) the
 * development token `pnpm start` keeps in DATA_DIR/dev-token.
 */
export async function resolveToken(
  given: string | undefined,
  server: string,
  env: Record<string, string | undefined>,
): Promise<string> {
  if (given) return given;
  if (LOCAL_HOSTS.has(new URL(server).hostname)) {
    const file = join(resolve(env.DATA_DIR || './data'), 'dev-token');
    const saved = (await readFile(file, 'utf8').catch(() => '')).trim();
    if (saved) return saved;
  }
  throw new UsageError(
    'no API token: pass --token or set UPLOAD_TOKEN (a local `pnpm start` keeps one in DATA_DIR/dev-token)',
  );
}
