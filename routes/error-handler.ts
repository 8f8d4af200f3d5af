/**
 * The last middleware: every error becomes `{code, message, details?}` with its status, and a
 * Retry-After header where the client should wait. Never a stack trace; unexpected errors are
 * logged with theirs and answered with a plain sentence.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { KeepsakeError } from '../lib/errors';
import type { Logger } from '../lib/logger';

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    const known = toKeepsakeError(error);
    if (!known) {
      logger.error({ err: error, method: req.method, path: req.path }, 'unexpected error');
    }
    const answer =
      known ?? new KeepsakeError('INTERNAL', 'Something went wrong in Keepsake. Nothing you saved was lost; try again, and tell your site admin if it persists.');
    if (answer.retryAfter !== undefined) res.setHeader('Retry-After', String(answer.retryAfter));
    res.status(answer.status).json(answer.toJSON());
  };
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new KeepsakeError('NOT_FOUND', `There is no ${req.method} ${req.path} in Keepsake's API. See docs/api.md.`));
};

/** Errors from express.json() and friends carry a `type`; give them Keepsake's codes. */
function toKeepsakeError(error: unknown): KeepsakeError | undefined {
  if (error instanceof KeepsakeError) return error;
  const type = (error as { type?: unknown } | null)?.type;
  if (type === 'entity.parse.failed') return new KeepsakeError('INVALID_INPUT', 'The request body is not valid JSON.');
  if (type === 'entity.too.large') {
    return new KeepsakeError('PAYLOAD_TOO_LARGE', `The request body is larger than Keepsake accepts (${(error as { limit?: number }).limit ?? 'the limit'} bytes).`);
  }
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new KeepsakeError('INVALID_INPUT', 'Send the request body as UTF-8 JSON.');
  }
  return undefined;
}
