// The checks tus 1.0.0 asks for that @tus/server does not make (or answers
// with another status), run in the Fastify layer before a request reaches it:
// Tus-Resumable (412), strict numbers and metadata (400), PATCH media type
// (415), X-HTTP-Method-Override, Upload-Checksum and Upload-Concat parsing.
import type { IncomingMessage } from 'node:http';
import {
  parseByteCount,
  parseChecksum,
  parseMetadata,
  parseUploadConcat,
  type UploadConcat,
} from './protocol-headers.ts';
import type { ChecksumExpectation } from './request-context.ts';
import { requestHeader, setRequestHeader } from './request-headers.ts';
import { ProtocolError } from './tus-errors.ts';

const OVERRIDABLE = new Set(['PATCH', 'DELETE', 'HEAD', 'POST']);
const PATCH_MEDIA_TYPE = 'application/offset+octet-stream';

/** X-HTTP-Method-Override on a POST becomes the request's method (clients whose HTTP stack lacks PATCH). */
export function applyMethodOverride(raw: IncomingMessage): void {
  const override = requestHeader(raw, 'x-http-method-override')?.trim().toUpperCase();
  if (raw.method === 'POST' && override && OVERRIDABLE.has(override)) raw.method = override;
}

export interface CheckedHeaders {
  rawMetadata?: string;
  checksum?: ChecksumExpectation;
  concat?: UploadConcat;
}

function checkVersion(raw: IncomingMessage): void {
  const version = requestHeader(raw, 'tus-resumable');
  if (version !== '1.0.0') {
    const message =
      version === undefined ? 'Tus-Resumable: 1.0.0 is required' : `tus version "${version}" is not supported`;
    throw new ProtocolError(412, 'unsupported_tus_version', message, { 'Tus-Version': '1.0.0' });
  }
}

function checkNumbers(raw: IncomingMessage): void {
  for (const name of ['Upload-Offset', 'Upload-Length']) {
    const value = requestHeader(raw, name);
    if (value !== undefined) parseByteCount(name, value);
  }
  const defer = requestHeader(raw, 'upload-defer-length');
  if (defer !== undefined && defer !== '1') {
    throw new ProtocolError(400, 'invalid_request', 'Upload-Defer-Length must be 1');
  }
  if (raw.method === 'POST' && defer !== undefined && requestHeader(raw, 'upload-length') !== undefined) {
    throw new ProtocolError(400, 'invalid_request', 'Send Upload-Length or Upload-Defer-Length, not both');
  }
}

function checkPatch(raw: IncomingMessage): ChecksumExpectation | undefined {
  if (requestHeader(raw, 'upload-offset') === undefined) {
    throw new ProtocolError(400, 'invalid_request', 'Upload-Offset is required');
  }
  if (requestHeader(raw, 'content-type')?.toLowerCase() !== PATCH_MEDIA_TYPE) {
    throw new ProtocolError(415, 'unsupported_media_type', `PATCH bodies must be sent as ${PATCH_MEDIA_TYPE}`);
  }
  const checksum = requestHeader(raw, 'upload-checksum');
  if (checksum !== undefined) return { source: 'header', ...parseChecksum(checksum) };
  const trailers = (requestHeader(raw, 'trailer') ?? '').toLowerCase().split(',');
  if (trailers.some((name) => name.trim() === 'upload-checksum')) return { source: 'trailer' };
  return undefined;
}

/** Validates a tus request's headers (not GET: downloads are not tus) and normalises what @tus/server reads. */
export function checkTusHeaders(raw: IncomingMessage): CheckedHeaders {
  checkVersion(raw);
  const override = requestHeader(raw, 'x-http-method-override');
  if (raw.method === 'POST' && override !== undefined && override.trim().toUpperCase() !== 'POST') {
    throw new ProtocolError(400, 'invalid_request', `X-HTTP-Method-Override "${override}" is not supported`);
  }
  checkNumbers(raw);
  const checked: CheckedHeaders = {};
  const metadata = requestHeader(raw, 'upload-metadata');
  if (metadata !== undefined) {
    // @tus/server parses the canonical form; HEAD echoes the header exactly as sent.
    setRequestHeader(raw, 'Upload-Metadata', parseMetadata(metadata).canonical);
    checked.rawMetadata = metadata;
  }
  if (raw.method === 'PATCH') checked.checksum = checkPatch(raw);
  const concat = requestHeader(raw, 'upload-concat');
  if (raw.method === 'POST' && concat !== undefined) checked.concat = parseUploadConcat(concat);
  return checked;
}
