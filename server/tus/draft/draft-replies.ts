// What the draft layer answers: problem details (RFC 9457) for the two
// conditions the draft names (a mismatching offset, a completed upload), and
// for everything else the service's own JSON error body, whatever threw it
// (a ProtocolError, an AppError, a hook's `{ status_code, body }`, the locker).
import { ERRORS } from '@tus/utils';
import { AppError, errorBody } from '../../errors.ts';
import { diskFull, ProtocolError, uploadBusy } from '../tus-errors.ts';

export interface DraftReply {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

const PROBLEM_TYPES = 'https://iana.org/assignments/http-problem-types';
const JSON_TYPE = 'application/json; charset=utf-8';

/** A problem the draft defines; the document also carries the service's `error` member. */
export class DraftProblem {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly title: string,
    readonly code: string,
    readonly detail: string,
    readonly members: Record<string, number> = {},
  ) {}

  toReply(): DraftReply {
    const document = { type: this.type, title: this.title, detail: this.detail, ...this.members };
    return {
      status: this.status,
      headers: { 'Content-Type': 'application/problem+json' },
      body: JSON.stringify({ ...document, ...errorBody(this.code, this.detail) }),
    };
  }
}

/** 409: the append starts elsewhere than the upload's offset; nothing was changed. */
export const mismatchingOffset = (expected: number, provided: number) =>
  new DraftProblem(
    409,
    `${PROBLEM_TYPES}#mismatching-upload-offset`,
    'offset from request does not match offset of resource',
    'conflict',
    `The upload holds ${expected} bytes; this request starts at ${provided}`,
    { 'expected-offset': expected, 'provided-offset': provided },
  );

/** 400: every byte of the upload has arrived; it takes no more. */
export const completedUpload = () =>
  new DraftProblem(
    400,
    `${PROBLEM_TYPES}#completed-upload`,
    'upload is already completed',
    'invalid_request',
    'This upload is complete and takes no more content',
  );

const jsonReply = (status: number, body: string, headers: Record<string, string> = {}): DraftReply => ({
  status,
  headers: { ...headers, 'Content-Type': JSON_TYPE },
  body,
});

/** @tus/utils' own errors carry plain-text bodies: the ones the stores and StreamLimiter throw, in JSON. */
const TUS_STATUS_CODES: Record<number, [string, string]> = {
  404: ['not_found', 'Upload not found'],
  413: ['file_too_large', 'The content goes past the largest upload this server takes'],
};

/** Where an unexpected error is logged (the request's logger). */
export interface ErrorLog {
  error(details: object, message: string): void;
}

export function replyForError(error: unknown, logger: ErrorLog): DraftReply {
  if (error instanceof DraftProblem) return error.toReply();
  // 460 is tus's own status for a damaged chunk; to a draft client it is a plain 400 (same body).
  if (error instanceof ProtocolError)
    return jsonReply(error.status_code === 460 ? 400 : error.status_code, error.body, error.headers);
  if (error instanceof AppError) {
    return jsonReply(error.statusCode, JSON.stringify(errorBody(error.code, error.message)), error.headers);
  }
  if (error === ERRORS.ERR_LOCK_TIMEOUT) return replyForError(uploadBusy(), logger);
  if ((error as NodeJS.ErrnoException | undefined)?.code === 'ENOSPC') return replyForError(diskFull(), logger);
  const status = (error as { status_code?: unknown } | undefined)?.status_code;
  const body = (error as { body?: unknown } | undefined)?.body;
  // An upload whose bytes are gone is not active: the draft answers 404 for it, as for any unknown upload.
  if (error === ERRORS.FILE_NO_LONGER_EXISTS) return replyForError(ERRORS.FILE_NOT_FOUND, logger);
  // Hook errors (toTusError: owner limits 413/429, disk 507, …) are JSON already, their 5xx bodies generic.
  if (typeof status === 'number' && typeof body === 'string' && body.startsWith('{')) return jsonReply(status, body);
  if (typeof status === 'number' && typeof body === 'string' && status < 500) {
    const [code, message] = TUS_STATUS_CODES[status] ?? ['invalid_request', body.trim()];
    return jsonReply(status, JSON.stringify(errorBody(code, message)));
  }
  logger.error({ err: error }, 'resumable upload (draft) request failed');
  return jsonReply(500, JSON.stringify(errorBody('internal_error', 'Internal server error')));
}
