// Checks a concatenation request (POST with Upload-Concat) before @tus/server
// creates the upload: a final may only name the requester's own, finished
// partial uploads, and gets their summed length as its Upload-Length.
import type { IncomingMessage } from 'node:http';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { isValidUploadId } from '../uploads/upload-id.ts';
import { findOwnedUpload } from '../uploads/upload-repository.ts';
import { type UploadConcat, uploadIdFromUrl } from './protocol-headers.ts';
import type { ConcatCreation } from './request-context.ts';
import { requestHeader, setRequestHeader } from './request-headers.ts';
import { ProtocolError } from './tus-errors.ts';
import type { UploadFileStore } from './upload-file-store.ts';

export interface ConcatCreationDeps {
  db: Kysely<Database>;
  store: UploadFileStore;
  /** The tus mount path (/files): partial URLs must point below it. */
  basePath: string;
}

/** Length of one of `owner`'s finished partial uploads; anything else reads as "not found". */
async function finishedPartialLength(deps: ConcatCreationDeps, owner: string, url: string): Promise<number> {
  const id = uploadIdFromUrl(url, deps.basePath);
  // Another owner's partial answers exactly like one that never existed.
  const notFound = new ProtocolError(400, 'invalid_request', `${url} is not a partial upload of yours`);
  if (id === null || !isValidUploadId(id)) throw notFound;
  const row = await findOwnedUpload(deps.db, owner, id);
  if (row?.concat_role !== 'partial') throw notFound;
  const upload = await deps.store.getUpload(id).catch(() => undefined);
  if (!upload) throw notFound;
  if (upload.size === undefined || upload.offset !== upload.size) {
    // concatenation-unfinished is not offered: a final is created once its partials are complete.
    throw new ProtocolError(400, 'invalid_request', `Partial upload ${url} is not finished yet`);
  }
  return upload.size;
}

/**
 * Turns the request into one @tus/server handles as a plain creation: the
 * Upload-Concat header is taken off (it answers 501 to it) and, for a final,
 * Upload-Length is set to the sum of the partials.
 */
export async function prepareConcatCreation(
  deps: ConcatCreationDeps,
  owner: string,
  raw: IncomingMessage,
  concat: UploadConcat,
): Promise<ConcatCreation> {
  const header = requestHeader(raw, 'upload-concat') ?? '';
  if (concat.kind === 'partial') {
    setRequestHeader(raw, 'Upload-Concat', null);
    return { kind: 'partial', header: 'partial' };
  }
  if (requestHeader(raw, 'upload-length') !== undefined || requestHeader(raw, 'upload-defer-length') !== undefined) {
    throw new ProtocolError(
      400,
      'invalid_request',
      'A final upload takes its length from its partials: omit Upload-Length',
    );
  }
  if (Number(requestHeader(raw, 'content-length') ?? 0) > 0 || requestHeader(raw, 'transfer-encoding')) {
    throw new ProtocolError(400, 'invalid_request', 'A final upload carries no body');
  }
  let total = 0;
  const partialIds: string[] = [];
  for (const url of concat.urls) {
    total += await finishedPartialLength(deps, owner, url);
    partialIds.push(uploadIdFromUrl(url, deps.basePath) as string);
  }
  setRequestHeader(raw, 'Upload-Concat', null);
  setRequestHeader(raw, 'Upload-Length', String(total));
  return { kind: 'final', header, partialIds };
}
