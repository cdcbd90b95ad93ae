// Carries what Fastify learned about a request (the authenticated owner, the
// request id, the protocol headers the tus layer parsed) to the tus hooks,
// which receive a web Request whose Node request is at `runtime.node.req`, and
// to the data store, which receives no request at all (AsyncLocalStorage).
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage } from 'node:http';
import type { ChecksumAlgorithm } from './checksum.ts';

/** What `Upload-Checksum` (or its trailer) asks the store to verify for one PATCH. */
export type ChecksumExpectation =
  | { source: 'header'; algorithm: ChecksumAlgorithm; digest: Buffer }
  | { source: 'trailer' };

/** A creation request with `Upload-Concat`. */
export type ConcatCreation =
  | { kind: 'partial'; header: 'partial' }
  | { kind: 'final'; header: string; partialIds: string[] };

export interface TusRequestContext {
  owner: string;
  /** The request id of the log line, also recorded on the job it queues. */
  requestId: string;
  /** The Node request, for trailers read once its body has ended. */
  raw?: IncomingMessage;
  /** `Upload-Metadata` exactly as the client sent it, echoed on HEAD. */
  rawMetadata?: string;
  checksum?: ChecksumExpectation;
  concat?: ConcatCreation;
}

const contexts = new WeakMap<IncomingMessage, TusRequestContext>();
const storage = new AsyncLocalStorage<TusRequestContext>();

export function setRequestContext(raw: IncomingMessage, context: TusRequestContext): void {
  contexts.set(raw, context);
}

/** The context set for a Node request by the tus routes' preHandler, if any. */
export function contextOf(raw: IncomingMessage): TusRequestContext | undefined {
  return contexts.get(raw);
}

/** Runs `work` (the @tus/server call) so the data store can read the request's context. */
export function runWithRequestContext<T>(context: TusRequestContext, work: () => Promise<T>): Promise<T> {
  return storage.run(context, work);
}

/** The context of the tus request being handled, for code that gets no request (the store). */
export function currentRequestContext(): TusRequestContext | undefined {
  return storage.getStore();
}

interface RequestWithNode {
  runtime?: { node?: { req?: IncomingMessage } };
}

export function requestContext(request: unknown): TusRequestContext {
  const raw = (request as RequestWithNode).runtime?.node?.req;
  const context = (raw ? contexts.get(raw) : undefined) ?? storage.getStore();
  // Authentication runs before every tus verb that reaches a hook; no context is a wiring bug.
  if (!context) throw new Error('tus hook called without an authenticated request context');
  return context;
}
