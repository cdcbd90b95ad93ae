// Answers one draft request that the tus routes have authenticated and matched
// to its owner's upload: picks the exchange by method, runs it with the
// request's context (the hooks and the store read it), and replies, with the
// 104 interim response written on the raw response before the final one.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { contextOf, runWithRequestContext } from '../request-context.ts';
import {
  appendDraftUpload,
  cancelDraftUpload,
  createDraftUpload,
  type DraftDeps,
  type DraftRequest,
  retrieveDraftOffset,
} from './draft-handlers.ts';
import { DRAFT_RESPONSE_HEADERS, readDraftHeaders } from './draft-headers.ts';
import { type DraftReply, replyForError } from './draft-replies.ts';
import { sendUploadResumptionSupported } from './informational-response.ts';

export interface ServeDraftDeps extends DraftDeps {
  /** Browser origins allowed to use /files from other sites (CORS_ORIGINS). */
  corsOrigins: readonly string[];
}

const DRAFT_METHODS = new Set(['POST', 'HEAD', 'PATCH', 'DELETE']);

/** Whether the draft layer answers this method (OPTIONS and GET stay with @tus/server). */
export const isDraftMethod = (method: string) => DRAFT_METHODS.has(method);

async function exchange(deps: DraftDeps, request: DraftRequest, id: string | null, method: string) {
  if (id === null) {
    if (method === 'POST') return createDraftUpload(deps, request);
    return { status: 405, headers: { Allow: 'POST, OPTIONS' } } satisfies DraftReply;
  }
  if (method === 'HEAD') return retrieveDraftOffset(deps, request, id);
  if (method === 'PATCH') return appendDraftUpload(deps, request, id);
  if (method === 'DELETE') return cancelDraftUpload(deps, request, id);
  return { status: 405, headers: { Allow: 'HEAD, PATCH, DELETE, GET, OPTIONS' } } satisfies DraftReply;
}

export async function serveDraft(
  deps: ServeDraftDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  id: string | null,
): Promise<void> {
  const raw = request.raw;
  const gone = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) gone.abort();
  });
  const cors: Record<string, string> = {};
  const origin = raw.headers.origin;
  if (origin && deps.corsOrigins.includes(origin)) {
    cors['Access-Control-Allow-Origin'] = origin;
    cors['Access-Control-Expose-Headers'] = [
      'Location',
      'Upload-Offset',
      'Upload-Length',
      'X-Request-Id',
      ...DRAFT_RESPONSE_HEADERS,
    ].join(', ');
    cors.Vary = 'Origin';
  }
  let answer: DraftReply;
  try {
    const draftRequest: DraftRequest = {
      raw,
      headers: readDraftHeaders(raw),
      signal: gone.signal,
      informational: (headers) => sendUploadResumptionSupported(raw, reply.raw, { ...cors, ...headers }),
    };
    const context = contextOf(raw);
    const run = () => exchange(deps, draftRequest, id, request.method);
    answer = await (context ? runWithRequestContext(context, run) : run());
  } catch (error) {
    answer = replyForError(error, request.log);
  }
  reply.code(answer.status).headers({ ...cors, ...answer.headers });
  await reply.send(answer.body);
}
