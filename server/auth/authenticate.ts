// Resolves `Authorization: Bearer <token>` to an owner, from the database or
// from AUTH_TOKENS. Every /api and /files route but OPTIONS goes through it.
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { appError } from '../errors.ts';
import { environmentTokenHashes, findTokenOwner, matchEnvironmentToken } from './tokens.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by authentication; every owned resource is filtered by it. */
    owner: string | null;
  }
}

export interface AuthOptions {
  db: Kysely<Database>;
  pepper: string;
  environmentTokens: ReadonlyArray<{ owner: string; token: string }>;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

export function createAuthenticate(options: AuthOptions) {
  // Hashed once here, not for every request (each chunk of an upload is one).
  const environmentTokens = environmentTokenHashes(options.environmentTokens, options.pepper);
  return async function authenticate(request: FastifyRequest): Promise<void> {
    const match = BEARER.exec(request.headers.authorization ?? '');
    const token = match?.[1];
    const challenge = { 'WWW-Authenticate': 'Bearer realm="csv-upload"' };
    if (!token)
      throw appError('unauthorized', 'An API token is required: send "Authorization: Bearer <token>"', challenge);
    const owner =
      matchEnvironmentToken(environmentTokens, token, options.pepper) ??
      (await findTokenOwner(options.db, options.pepper, token));
    if (!owner) throw appError('unauthorized', 'The API token is not valid or has been revoked', challenge);
    request.owner = owner;
  };
}
