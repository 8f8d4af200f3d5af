/**
 * The last middleware: every error becomes `{code, message, details?}` with its status, and a
 * Retry-After header where the client should wait. Never a stack trace; unexpected errors are
 * logged with theirs and answered with a plain sentence. A request Keepsake cannot read (a
 * body that does not decompress, a path that is not valid percent-encoding, too many form
 * fields) is the client's mistake: a 4xx with a code, logged at debug, never as an error.
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { KeepsakeError } from '../lib/errors';
import type { Logger } from '../lib/logger';

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (res.headersSent) {
      // Answered already (the request timed out, or its client left): say what happened after, no stack on the console.
      const late = toKeepsakeError(error);
      if (late) logger.debug({ code: late.code, method: req.method, path: req.path }, `after the answer: ${late.message}`);
      else logger.error({ err: error, method: req.method, path: req.path }, 'unexpected error after the answer');
      if (!res.writableEnded) res.end();
      return;
    }
    const known = toKeepsakeError(error);
    if (!known) {
      logger.error({ err: error, method: req.method, path: req.path }, 'unexpected error');
    } else if (known.status < 500) {
      logger.debug({ code: known.code, method: req.method, path: req.path }, known.message);
    }
    const answer =
      known ??
      new KeepsakeError(
        'INTERNAL',
        'Something went wrong in Keepsake. Nothing you saved was lost; try again, and tell your site admin if it persists.',
      );
    sendError(res, answer);
  };
}

/** The one way an error becomes an answer: its status, Retry-After when it says to wait, `{code, message, details?}`. */
export function sendError(res: Response, error: KeepsakeError): void {
  if (error.retryAfter !== undefined) res.setHeader('Retry-After', String(error.retryAfter));
  res.status(error.status).json(error.toJSON());
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new KeepsakeError('NOT_FOUND', `There is no ${req.method} ${req.path} in Keepsake's API. See docs/api.md.`));
};

/**
 * Errors of Express and its body parsers carry an HTTP status (http-errors) and often a
 * `type`; a 4xx among them is about the request, so it gets one of Keepsake's codes. Anything
 * else is Keepsake's own fault and stays unknown (500, logged).
 */
export function toKeepsakeError(error: unknown): KeepsakeError | undefined {
  if (error instanceof KeepsakeError) return error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { type, status, statusCode, limit } = error as { type?: unknown; status?: unknown; statusCode?: unknown; limit?: unknown };
  const httpStatus = typeof status === 'number' ? status : statusCode;
  if (typeof httpStatus !== 'number' || httpStatus < 400 || httpStatus >= 500) return undefined;
  switch (type) {
    case 'entity.parse.failed':
      return new KeepsakeError('INVALID_INPUT', 'The request body is not valid JSON.');
    case 'entity.too.large':
      return new KeepsakeError(
        'PAYLOAD_TOO_LARGE',
        `The request body is larger than Keepsake accepts (${typeof limit === 'number' ? limit : 'the limit'} bytes).`,
      );
    case 'parameters.too.many':
      return new KeepsakeError('PAYLOAD_TOO_LARGE', 'The form body has more fields than Keepsake reads (1,000). Send the request as JSON.');
    case 'encoding.unsupported':
      return new KeepsakeError(
        'UNSUPPORTED_MEDIA_TYPE',
        'Keepsake reads request bodies sent as they are, or compressed with gzip or deflate; send it without this Content-Encoding.',
      );
    case 'charset.unsupported':
      return new KeepsakeError('UNSUPPORTED_MEDIA_TYPE', 'Send the request body as UTF-8 JSON.');
    case 'request.aborted':
    case 'request.size.invalid':
      return new KeepsakeError(
        'MALFORMED_REQUEST',
        'The request body did not match its Content-Length (cut short, or longer); send it again whole.',
      );
  }
  if (error instanceof URIError) {
    return new KeepsakeError(
      'MALFORMED_REQUEST',
      'The path is not valid percent-encoding (a % must be followed by two hexadecimal digits of UTF-8).',
    );
  }
  if (typeof (error as { code?: unknown }).code === 'string' && (error as { code: string }).code.startsWith('Z_')) {
    return new KeepsakeError(
      'MALFORMED_REQUEST',
      'The request body does not decompress as its Content-Encoding says; send it uncompressed or as valid gzip or deflate.',
    );
  }
  if (httpStatus === 413) return new KeepsakeError('PAYLOAD_TOO_LARGE', 'The request is larger than Keepsake accepts.');
  if (httpStatus === 415)
    return new KeepsakeError('UNSUPPORTED_MEDIA_TYPE', 'Send the request body as UTF-8 JSON (Content-Type: application/json).');
  return new KeepsakeError('MALFORMED_REQUEST', 'Keepsake could not read this request. See docs/api.md for what each endpoint takes.');
}
