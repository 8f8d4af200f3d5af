// Errors answered as JSON. Confluence's REST v1 documents its error body as
// {statusCode, data: {authorized, valid, errors, successful}, message}
// (https://developer.atlassian.com/cloud/confluence/rest/v1/intro/#status-codes); the
// emulator answers that shape under /wiki/rest/api and the short {statusCode, message}
// everywhere else. Never a stack trace, never an HTML page.
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface ErrorBody {
  statusCode: number;
  message: string;
  data?: {
    authorized: boolean;
    valid: boolean;
    errors: { message: { translation: string; args: unknown[] } }[];
    successful: false;
  };
}

/** The body of an error answer; `confluenceEnvelope` adds REST v1's documented `data` part. */
export function errorBody(status: number, message: string, confluenceEnvelope: boolean): ErrorBody {
  if (!confluenceEnvelope) return { statusCode: status, message };
  return {
    statusCode: status,
    data: {
      authorized: status !== 401 && status !== 403,
      valid: status !== 400,
      errors: [{ message: { translation: message, args: [] } }],
      successful: false,
    },
    message,
  };
}

function usesConfluenceEnvelope(req: Request): boolean {
  return req.originalUrl.startsWith('/wiki/rest/api/');
}

export function sendError(req: Request, res: Response, status: number, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.set(headers);
  res.status(status).json(errorBody(status, message, usesConfluenceEnvelope(req)));
}

export function notFoundHandler(): RequestHandler {
  return (req, res) => {
    sendError(req, res, 404, `No resource at ${req.method} ${req.path}`);
  };
}

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

/** Last handler: maps body-parser failures and HttpErrors to JSON, hides everything else. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (err instanceof HttpError) {
      sendError(req, res, err.status, err.message, err.headers);
      return;
    }
    const parserError = err as BodyParserError;
    if (parserError && parserError.type === 'entity.too.large') {
      sendError(req, res, 413, `The request body is larger than the limit of ${parserError.limit ?? 'unknown'} bytes`);
      return;
    }
    if (parserError && parserError.type === 'entity.parse.failed') {
      sendError(req, res, 400, 'The request body is not valid JSON');
      return;
    }
    if (parserError && typeof parserError.type === 'string' && parserError.status && parserError.status < 500) {
      sendError(req, res, parserError.status, `The request body could not be read (${parserError.type})`);
      return;
    }
    logger.error({ err, method: req.method, path: req.path }, 'unexpected error');
    sendError(req, res, 500, 'Internal error in the Confluence emulator');
  };
}
