// One error handler for the whole app: AppErrors keep their status and code,
// validation failures are 400, framework 4xx keep their status, anything else
// is logged and answered as a bare 500 (details never reach the client).
import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, errorBody } from './errors.ts';

function codeFor(status: number): string {
  if (status === 404) return 'not_found';
  if (status === 413) return 'file_too_large';
  if (status === 415) return 'unsupported_media_type';
  if (status === 429) return 'rate_limited';
  return 'invalid_request';
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      return reply.code(error.statusCode).headers(error.headers).send(errorBody(error.code, error.message));
    }
    if ((error as FastifyError).validation) {
      return reply.code(400).send(errorBody('invalid_request', error.message));
    }
    const status = (error as FastifyError).statusCode ?? 500;
    if (status >= 400 && status < 500) return reply.code(status).send(errorBody(codeFor(status), error.message));
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send(errorBody('internal_error', 'Internal server error'));
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorBody('not_found', `No route for ${request.method} ${request.url.split('?')[0]}`));
  });
}
