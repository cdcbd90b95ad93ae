// Carries the authenticated owner from Fastify's preHandler to the tus hooks,
// which receive a web Request whose Node request is at `runtime.node.req`.
import type { IncomingMessage } from 'node:http';

const owners = new WeakMap<IncomingMessage, string>();

export function setRequestOwner(raw: IncomingMessage, owner: string): void {
  owners.set(raw, owner);
}

interface RequestWithNode {
  runtime?: { node?: { req?: IncomingMessage } };
}

export function requestOwner(request: unknown): string {
  const raw = (request as RequestWithNode).runtime?.node?.req;
  const owner = raw ? owners.get(raw) : undefined;
  // Authentication runs before every tus verb that reaches a hook; no owner is a wiring bug.
  if (!owner) throw new Error('tus hook called without an authenticated owner');
  return owner;
}
