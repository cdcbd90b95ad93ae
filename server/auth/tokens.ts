// API tokens: random 256-bit secrets shown once, stored only as a keyed
// SHA-256 (a slow hash adds nothing for tokens with this much entropy).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';

export function generateToken(): string {
  return `cut_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string, pepper: string): string {
  return createHmac('sha256', pepper).update(token).digest('hex');
}

export async function createToken(
  db: Kysely<Database>,
  pepper: string,
  owner: string,
  label: string | null = null,
): Promise<{ id: number; token: string }> {
  const token = generateToken();
  const row = await db
    .insertInto('api_tokens')
    .values({ owner, label, token_hash: hashToken(token, pepper) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: Number(row.id), token };
}

/** `last_used_at` is refreshed at most this often, so chunked uploads do not write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** Looks a token up by its hash; the database index does the comparison. */
export async function findTokenOwner(db: Kysely<Database>, pepper: string, token: string): Promise<string | null> {
  const row = await db
    .selectFrom('api_tokens')
    .select(['id', 'owner', 'last_used_at'])
    .where('token_hash', '=', hashToken(token, pepper))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.updateTable('api_tokens').set({ last_used_at: new Date() }).where('id', '=', row.id).execute();
  }
  return row.owner;
}

/** AUTH_TOKENS with their keyed hashes, computed once at start-up. */
export interface HashedEnvironmentToken {
  owner: string;
  hash: Buffer;
}

export function environmentTokenHashes(
  tokens: ReadonlyArray<{ owner: string; token: string }>,
  pepper: string,
): HashedEnvironmentToken[] {
  return tokens.map(({ owner, token }) => ({ owner, hash: Buffer.from(hashToken(token, pepper), 'hex') }));
}

/** Environment tokens (AUTH_TOKENS) are compared in constant time, every one of them. */
export function matchEnvironmentToken(
  tokens: ReadonlyArray<HashedEnvironmentToken>,
  presented: string,
  pepper: string,
): string | null {
  const presentedHash = Buffer.from(hashToken(presented, pepper), 'hex');
  let owner: string | null = null;
  for (const candidate of tokens) {
    if (timingSafeEqual(presentedHash, candidate.hash)) owner = candidate.owner;
  }
  return owner;
}

export interface TokenListing {
  id: number;
  owner: string;
  label: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** Every token without its secret (only hashes are stored anyway). */
export async function listTokens(db: Kysely<Database>): Promise<TokenListing[]> {
  const rows = await db.selectFrom('api_tokens').selectAll().orderBy('id').execute();
  return rows.map((row) => ({
    id: Number(row.id),
    owner: row.owner,
    label: row.label,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  }));
}

/** Revokes a token at once (the next request with it gets 401); false when no such active token. */
export async function revokeToken(db: Kysely<Database>, id: number): Promise<boolean> {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: new Date() })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
