/**
 * Requests refused before anything reads them: a GET or HEAD with a body (it has no meaning
 * there, and no Keepsake client sends one), and a body that is not JSON where Keepsake reads
 * JSON. Both answer with a code (docs/api.md), never a 5xx.
 */
import type { Request, RequestHandler } from 'express';
import { KeepsakeError } from '../lib/errors';

/** A body is on its way: chunked, or a Content-Length above 0 (`Content-Length: 0` is no body). */
function hasBody(req: Request): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length.trim() !== '0';
}

export const refuseBodiesOnReads: RequestHandler = (req, _res, next) => {
  if ((req.method === 'GET' || req.method === 'HEAD') && hasBody(req)) {
    next(new KeepsakeError('MALFORMED_REQUEST', `A ${req.method} request to Keepsake carries no body; send it without one.`));
    return;
  }
  next();
};

export const jsonBodiesOnly: RequestHandler = (req, _res, next) => {
  if (hasBody(req) && !req.is('application/json')) {
    next(new KeepsakeError('UNSUPPORTED_MEDIA_TYPE', 'Send the request body as JSON, with Content-Type: application/json.'));
    return;
  }
  next();
};
