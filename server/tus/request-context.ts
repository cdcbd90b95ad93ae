// Carries what Fastify learned about a request (the authenticated owner, the
// request id) to the tus hooks, which receive a web Request whose Node request
// is at `runtime.node.req`.
import type { IncomingMessage } from 'node:http';

export interface TusRequestContext {
  owner: string;
  /** The request id of the log line, also recorded on the job it queues. */
  requestId: string;
}

const contexts = new WeakMap<IncomingMessage, TusRequestContext>();

export function setRequestContext(raw: IncomingMessage, context: TusRequestContext): void {
  contexts.set(raw, context);
}

interface RequestWithNode {
  runtime?: { node?: { req?: IncomingMessage } };
}

export function requestContext(request: unknown): TusRequestContext {
  const raw = (request as RequestWithNode).runtime?.node?.req;
  const context = raw ? contexts.get(raw) : undefined;
  // Authentication runs before every tus verb that reaches a hook; no context is a wiring bug.
  if (!context) throw new Error('tus hook called without an authenticated request context');
  return context;
}
