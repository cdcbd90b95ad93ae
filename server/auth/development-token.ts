// `pnpm start` on the embedded database prints a ready-to-use URL with a token.
// Only the hash is in the database, so the token itself is kept in a file of
// mode 0600 under DATA_DIR to print the same URL on every start.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { createToken, findTokenOwner } from './tokens.ts';

export const DEVELOPMENT_OWNER = 'dev';

export async function ensureDevelopmentToken(db: Kysely<Database>, pepper: string, dataDir: string): Promise<string> {
  const file = join(dataDir, 'dev-token');
  const saved = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (saved && (await findTokenOwner(db, pepper, saved)) === DEVELOPMENT_OWNER) return saved;
  const { token } = await createToken(db, pepper, DEVELOPMENT_OWNER, 'development token');
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return token;
}
