// The four exchanges of the resumable-upload draft on /files/, over the same
// store, locker and hooks as tus 1.0: creation (any content, Upload-Complete),
// offset retrieval (HEAD), append (PATCH) and cancellation (DELETE). A draft
// upload is an ordinary upload: the creation hook checks owner, metadata,
// quotas and disk, the finish hook queues its import.
import type { IncomingMessage } from 'node:http';
import { Upload } from '@tus/utils';
import { appError } from '../../errors.ts';
import { generateUploadId } from '../../uploads/upload-id.ts';
import { appendContent } from '../append-content.ts';
import { ProtocolError } from '../tus-errors.ts';
import type { TusHooks } from '../tus-hooks.ts';
import type { UploadStore } from '../upload-store.ts';
import { creationMetadata } from './creation-metadata.ts';
import { type DraftHeaders, hasContent, INTEROP_HEADER, PARTIAL_UPLOAD_MEDIA_TYPE } from './draft-headers.ts';
import { completedUpload, type DraftReply, mismatchingOffset } from './draft-replies.ts';
import { isComplete, uploadLimit, uploadState, uploadUrl } from './draft-response-headers.ts';
import { withUploadLock } from './upload-lock.ts';

export interface DraftDeps {
  store: UploadStore;
  hooks: Pick<TusHooks, 'onUploadCreate' | 'onUploadFinish'>;
  locker: UploadLockDeps['locker'];
  lockDrainMs: number;
  maxFileSize: number;
  trustProxy: boolean;
}

type UploadLockDeps = Parameters<typeof withUploadLock>[0];

export interface DraftRequest {
  raw: IncomingMessage;
  headers: DraftHeaders;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /** Sends the 104 interim response (where the connection allows one). */
  informational(headers: Record<string, string>): void;
}

const inconsistentLength = (why: string) =>
  new ProtocolError(400, 'invalid_request', `Inconsistent upload length: ${why}`);

const tooLarge = (deps: DraftDeps) => appError('file_too_large', `Uploads are limited to ${deps.maxFileSize} bytes`);

/** The hooks read the request's context from the Node request, as they do under @tus/server. */
const hookRequest = (raw: IncomingMessage) => ({ runtime: { node: { req: raw } } });

const lockOptions = (deps: DraftDeps, request: DraftRequest) => ({
  locker: deps.locker,
  drainMs: deps.lockDrainMs,
  signal: request.signal,
});

const limitFacts = (deps: DraftDeps) => ({ maxFileSize: deps.maxFileSize, expirationMs: deps.store.getExpiration() });

/** An idle unfinished upload past the store's expiry period (the cleanup will delete it). */
function isExpired(store: UploadStore, upload: Upload): boolean {
  const period = store.getExpiration();
  if (period <= 0 || !upload.creation_date) return false;
  return Date.now() > new Date(upload.creation_date).getTime() + period;
}

async function currentUpload(deps: DraftDeps, id: string): Promise<Upload> {
  const upload = await deps.store.getUpload(id);
  if (isExpired(deps.store, upload)) throw appError('not_found', 'Upload not found');
  return upload;
}

/** The length the creation request states: Upload-Length, or its content when Upload-Complete is ?1. */
function declaredLength(headers: DraftHeaders): number | undefined {
  const fromContent = headers.complete ? headers.contentLength : undefined;
  if (headers.length !== undefined && fromContent !== undefined && headers.length !== fromContent) {
    throw inconsistentLength(`Upload-Length ${headers.length} but ${fromContent} bytes of complete content`);
  }
  return headers.length ?? fromContent;
}

/**
 * Appends the request's content to `upload` (lock held) and settles its length:
 * Upload-Length on an append declares a deferred length; Upload-Complete: ?1 on
 * content that arrived whole fixes it at the new offset. The upload is complete
 * once its offset reaches its length, whichever request brought the last byte.
 */
async function appendAndSettle(deps: DraftDeps, request: DraftRequest, upload: Upload, stop: AbortSignal) {
  const { headers } = request;
  if (headers.length !== undefined && upload.size === undefined) {
    if (headers.length < upload.offset)
      throw inconsistentLength(`Upload-Length is below the ${upload.offset} bytes held`);
    if (headers.length > deps.maxFileSize) throw tooLarge(deps);
    await deps.store.declareUploadLength(upload.id, headers.length);
    upload.size = headers.length;
  } else if (headers.length !== undefined && headers.length !== upload.size) {
    throw inconsistentLength(`Upload-Length ${headers.length} but the upload was declared with ${upload.size}`);
  }
  const room = (upload.size ?? deps.maxFileSize) - upload.offset;
  const content = headers.contentLength;
  if (content !== undefined && content > room) {
    if (upload.size === undefined) throw tooLarge(deps);
    throw inconsistentLength(`${content} bytes of content but only ${room} left to the upload's length`);
  }
  if (
    headers.complete &&
    upload.size !== undefined &&
    content !== undefined &&
    upload.offset + content !== upload.size
  ) {
    throw inconsistentLength(`Upload-Complete: ?1 with ${content} bytes, but ${room} are missing`);
  }
  let cut = false;
  if (hasContent(headers)) {
    const appended = await appendContent(
      deps.store,
      request.raw,
      { id: upload.id, offset: upload.offset, limit: room },
      stop,
    );
    upload.offset = appended.offset;
    cut = appended.cut;
  }
  if (headers.complete && !cut && upload.size === undefined) {
    await deps.store.declareUploadLength(upload.id, upload.offset);
    upload.size = upload.offset;
  } else if (headers.complete && !cut && upload.size !== upload.offset) {
    throw inconsistentLength(
      `Upload-Complete: ?1 but ${upload.size ?? 0} bytes were declared and ${upload.offset} held`,
    );
  }
}

async function finishIfComplete(deps: DraftDeps, request: DraftRequest, upload: Upload): Promise<void> {
  if (isComplete(upload)) await deps.hooks.onUploadFinish(hookRequest(request.raw), upload);
}

/** Upload creation: the upload exists (104 with its URL) before a byte of the content is read. */
export async function createDraftUpload(deps: DraftDeps, request: DraftRequest): Promise<DraftReply> {
  const { headers, raw } = request;
  if (headers.complete === undefined) throw new ProtocolError(400, 'invalid_request', 'Upload-Complete is required');
  const size = declaredLength(headers);
  if (size !== undefined && size > deps.maxFileSize) {
    throw tooLarge(deps);
  }
  const upload = new Upload({ id: generateUploadId(), size, offset: 0, metadata: creationMetadata(raw) });
  // Owner, filename and type, quotas, disk: refused here (4xx/507) before anything is stored.
  await deps.hooks.onUploadCreate(hookRequest(raw), upload);
  const location = uploadUrl(raw, upload.id, deps.trustProxy);
  await withUploadLock(lockOptions(deps, request), upload.id, async (stop) => {
    await deps.store.create(upload);
    const limit = uploadLimit(limitFacts(deps), upload);
    request.informational({ Location: location, [INTEROP_HEADER]: String(headers.version), 'Upload-Limit': limit });
    // Upload-Length was taken as the declared size above; it must not be declared again.
    await appendAndSettle(deps, { ...request, headers: { ...headers, length: undefined } }, upload, stop);
  });
  await finishIfComplete(deps, request, upload);
  return {
    status: 201,
    headers: {
      Location: location,
      ...uploadState(headers.version, upload),
      'Upload-Limit': uploadLimit(limitFacts(deps), upload),
    },
  };
}

/** Offset retrieval: where to resume, whether the upload is complete; never cached. */
export async function retrieveDraftOffset(deps: DraftDeps, request: DraftRequest, id: string): Promise<DraftReply> {
  const upload = await withUploadLock(lockOptions(deps, request), id, () => currentUpload(deps, id));
  return {
    status: 204,
    headers: {
      ...uploadState(request.headers.version, upload),
      'Upload-Limit': uploadLimit(limitFacts(deps), upload),
      'Cache-Control': 'no-store',
    },
  };
}

/** Upload append: content from exactly the upload's offset; a complete upload takes none. */
export async function appendDraftUpload(deps: DraftDeps, request: DraftRequest, id: string): Promise<DraftReply> {
  const { headers, raw } = request;
  if (headers.offset === undefined) throw new ProtocolError(400, 'invalid_request', 'Upload-Offset is required');
  if (headers.complete === undefined) throw new ProtocolError(400, 'invalid_request', 'Upload-Complete is required');
  const mediaType = raw.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (headers.version >= 6 && mediaType !== PARTIAL_UPLOAD_MEDIA_TYPE) {
    throw new ProtocolError(
      415,
      'unsupported_media_type',
      `Appended content must be sent as ${PARTIAL_UPLOAD_MEDIA_TYPE}`,
    );
  }
  const upload = await withUploadLock(lockOptions(deps, request), id, async (stop) => {
    const current = await currentUpload(deps, id);
    if (isComplete(current)) throw completedUpload();
    if (headers.offset !== current.offset) throw mismatchingOffset(current.offset, headers.offset as number);
    await appendAndSettle(deps, request, current, stop);
    return current;
  });
  await finishIfComplete(deps, request, upload);
  return { status: 204, headers: uploadState(headers.version, upload) };
}

/** Upload cancellation: the bytes and the upload's rows go (the store's termination callback). */
export async function cancelDraftUpload(deps: DraftDeps, request: DraftRequest, id: string): Promise<DraftReply> {
  await withUploadLock(lockOptions(deps, request), id, () => deps.store.remove(id));
  return { status: 204, headers: { [INTEROP_HEADER]: String(request.headers.version) } };
}
