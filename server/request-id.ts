// Request ids: the caller's X-Request-Id when it looks like an id (bounded,
// no spaces or control characters that could forge log lines), otherwise a
// new UUID. Every response carries it back.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

const ACCEPTABLE_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

export function requestIdFor(raw: IncomingMessage): string {
  const offered = raw.headers['x-request-id'];
  return typeof offered === 'string' && ACCEPTABLE_ID.test(offered) ? offered : randomUUID();
}

export function echoRequestId(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
  });
}
