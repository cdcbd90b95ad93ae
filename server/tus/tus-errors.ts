// Protocol refusals of the tus layer. They carry the service's JSON error body
// and become either a Fastify reply (before @tus/server runs) or the
// `{ status_code, body }` object @tus/server sends when the store throws one.
import { errorBody } from '../errors.ts';

export class ProtocolError {
  readonly body: string;
  constructor(
    readonly status_code: number,
    readonly code: string,
    readonly message: string,
    readonly headers: Record<string, string> = {},
  ) {
    this.body = JSON.stringify(errorBody(code, message));
  }
}

/** 460: the spec's status for a chunk whose checksum does not match its bytes. */
export const checksumMismatch = () =>
  new ProtocolError(460, 'checksum_mismatch', 'Upload-Checksum does not match the bytes received; nothing was stored');

/** 507: the upload disk filled up during a write; the bytes before it are kept. */
export const diskFull = () =>
  new ProtocolError(507, 'insufficient_storage', 'The server ran out of disk space; resume the upload later');

/** 503: another request holds the upload's lock past the wait (clients retry; Retry-After is added). */
export const uploadBusy = () =>
  new ProtocolError(503, 'upload_busy', 'Another request is still writing this upload; retry in a moment', {
    'Retry-After': '2',
  });
