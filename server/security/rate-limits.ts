// Rate limits (429 + Retry-After): upload creations (tus POST) and /api calls,
// each counted per token, or per client IP for requests without one. Counts
// live in this process's memory: with several API processes behind a
// balancer, each enforces its own share.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hashToken } from '../auth/tokens.ts';
import { appError } from '../errors.ts';
import { TUS_PATH } from '../tus/tus-server.ts';

export interface RateLimitOptions {
  apiPerMinute: number;
  uploadsPerMinute: number;
  pepper: string;
}

const BEARER = /^Bearer\s+(\S+)/i;

/** The token's hash (never the token) or the client address. */
function clientKey(request: FastifyRequest, pepper: string): string {
  const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
  return token ? `token:${hashToken(token, pepper).slice(0, 32)}` : `ip:${request.ip}`;
}

function isUploadCreation(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0] ?? '';
  return request.method === 'POST' && (path === TUS_PATH || path === `${TUS_PATH}/`);
}

export async function registerRateLimits(app: FastifyInstance, options: RateLimitOptions): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      appError('rate_limited', `Too many requests: try again in ${context.after}`),
  });
  const limiter = (max: number, scope: string) =>
    max > 0
      ? app.rateLimit({ max, timeWindow: 60_000, keyGenerator: (r) => `${scope}:${clientKey(r, options.pepper)}` })
      : null;
  const uploads = limiter(options.uploadsPerMinute, 'uploads');
  const api = limiter(options.apiPerMinute, 'api');
  app.addHook('onRequest', async (request, reply) => {
    if (uploads && isUploadCreation(request)) return uploads.call(app, request, reply);
    if (api && request.url.startsWith('/api/')) return api.call(app, request, reply);
  });
}
