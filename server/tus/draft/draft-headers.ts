// Request headers of the IETF "Resumable Uploads for HTTP" draft in the two
// interop versions tus-js-client 4 speaks: 5 (draft -03) and 6 (drafts -04/-05).
// Each parser returns the value or throws a ProtocolError (400).
import type { IncomingMessage } from 'node:http';
import { requestHeader } from '../request-headers.ts';
import { ProtocolError } from '../tus-errors.ts';

export type InteropVersion = 5 | 6;
export const INTEROP_VERSIONS: readonly InteropVersion[] = [5, 6];
export const INTEROP_HEADER = 'Upload-Draft-Interop-Version';

/** What a browser client of the draft sends and reads (CORS). */
export const DRAFT_REQUEST_HEADERS = [INTEROP_HEADER, 'Upload-Complete', 'Content-Disposition'];
export const DRAFT_RESPONSE_HEADERS = [INTEROP_HEADER, 'Upload-Complete', 'Upload-Limit'];

/** The media type of an append's content from interop version 6 on. */
export const PARTIAL_UPLOAD_MEDIA_TYPE = 'application/partial-upload';

/** Draft requests carry Upload-Draft-Interop-Version; tus requests carry Tus-Resumable instead. */
export function isDraftRequest(raw: IncomingMessage): boolean {
  return requestHeader(raw, INTEROP_HEADER) !== undefined;
}

/** The request's interop version when it is one this server speaks. */
export function knownInteropVersion(raw: IncomingMessage): InteropVersion | undefined {
  const value = requestHeader(raw, INTEROP_HEADER)?.trim();
  return INTEROP_VERSIONS.find((known) => String(known) === value);
}

export function interopVersionOf(raw: IncomingMessage): InteropVersion {
  const version = knownInteropVersion(raw);
  if (version === undefined) {
    const value = requestHeader(raw, INTEROP_HEADER)?.trim();
    throw new ProtocolError(
      400,
      'invalid_request',
      `${INTEROP_HEADER} "${value}" is not supported: this server speaks ${INTEROP_VERSIONS.join(' and ')}`,
    );
  }
  return version;
}

/** A Structured Field Boolean (`?0` / `?1`); parameters are allowed and ignored. */
function parseBoolean(name: string, value: string): boolean {
  const bare = value.split(';')[0]?.trim();
  if (bare === '?1') return true;
  if (bare === '?0') return false;
  throw new ProtocolError(400, 'invalid_request', `${name} must be ?0 or ?1, got "${value}"`);
}

/** A non-negative Structured Field Integer (at most 15 digits) that fits a safe integer. */
function parseCount(name: string, value: string): number {
  const bare = value.split(';')[0]?.trim() ?? '';
  if (!/^[0-9]{1,15}$/.test(bare)) {
    throw new ProtocolError(400, 'invalid_request', `${name} must be a non-negative integer, got "${value}"`);
  }
  return Number(bare);
}

export interface DraftHeaders {
  version: InteropVersion;
  /** Upload-Complete; undefined when absent. */
  complete?: boolean;
  offset?: number;
  /** Upload-Length (interop 6; accepted from 5 too). */
  length?: number;
  /** Content-Length: 0 without a body, undefined for a chunked one. */
  contentLength?: number;
}

export function readDraftHeaders(raw: IncomingMessage): DraftHeaders {
  const headers: DraftHeaders = { version: interopVersionOf(raw) };
  const complete = requestHeader(raw, 'upload-complete');
  if (complete !== undefined) headers.complete = parseBoolean('Upload-Complete', complete);
  const offset = requestHeader(raw, 'upload-offset');
  if (offset !== undefined) headers.offset = parseCount('Upload-Offset', offset);
  const length = requestHeader(raw, 'upload-length');
  if (length !== undefined) headers.length = parseCount('Upload-Length', length);
  // Node has validated Content-Length already; without it (or Transfer-Encoding) there is no body.
  if (requestHeader(raw, 'transfer-encoding') === undefined) {
    headers.contentLength = Number(requestHeader(raw, 'content-length') ?? 0);
  }
  return headers;
}

/** Whether the request carries content at all (an empty creation or append has none). */
export function hasContent(headers: DraftHeaders): boolean {
  return headers.contentLength !== 0;
}
