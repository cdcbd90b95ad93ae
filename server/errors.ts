// The service's error vocabulary: one class, a small set of codes, one JSON
// shape `{ error: { code, message } }` for the API and the same body for tus.
export type ErrorCode =
  | 'unauthorized'
  | 'not_found'
  | 'invalid_request'
  | 'invalid_metadata'
  | 'unsupported_file_type'
  | 'file_too_large'
  | 'quota_exceeded'
  | 'too_many_uploads'
  | 'rate_limited'
  | 'storage_full'
  | 'insufficient_storage'
  | 'conflict'
  | 'shutting_down'
  | 'internal_error';

const STATUS: Record<ErrorCode, number> = {
  unauthorized: 401,
  not_found: 404,
  invalid_request: 400,
  invalid_metadata: 400,
  unsupported_file_type: 415,
  file_too_large: 413,
  quota_exceeded: 413,
  too_many_uploads: 429,
  rate_limited: 429,
  storage_full: 507,
  insufficient_storage: 507,
  conflict: 409,
  shutting_down: 503,
  internal_error: 500,
};

export class AppError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.statusCode = STATUS[code];
  }
}

export function appError(code: ErrorCode, message: string, headers?: Record<string, string>): AppError {
  return new AppError(code, message, headers);
}

export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/** A 404 that reads the same whether the id never existed or belongs to someone else. */
export function notFound(): AppError {
  return appError('not_found', 'Upload not found');
}

/**
 * @tus/server sends `{ status_code, body }` thrown from hooks as the response.
 * 5xx details are logged by the caller, never shown to the client.
 */
export function toTusError(error: unknown): { status_code: number; body: string } {
  if (error instanceof AppError) {
    return { status_code: error.statusCode, body: JSON.stringify(errorBody(error.code, error.message)) };
  }
  return { status_code: 500, body: JSON.stringify(errorBody('internal_error', 'Internal server error')) };
}
