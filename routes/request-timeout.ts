/** A request that has not been answered in time gets a clear 503 instead of hanging. */
import type { RequestHandler } from 'express';
import { KeepsakeError } from '../lib/errors';

export function requestTimeout(ms: number): RequestHandler {
  return (_req, res, next) => {
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      const error = new KeepsakeError('TIMEOUT', `Keepsake could not finish this request within ${Math.round(ms / 1000)} seconds. Try again; what you saved before is safe.`, undefined, 5);
      res.setHeader('Retry-After', '5');
      res.status(error.status).json(error.toJSON());
    }, ms);
    res.on('finish', () => clearTimeout(timer));
    res.on('close', () => clearTimeout(timer));
    next();
  };
}
