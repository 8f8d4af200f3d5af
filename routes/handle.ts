/** Express 4 does not catch rejected promises: pass them on to the error handler. */
import type { NextFunction, Request, RequestHandler, Response } from 'express';

export function handle(fn: (req: Request, res: Response, next: NextFunction) => Promise<unknown>): RequestHandler {
  return (req, res, next) => {
    fn(req, res, next).catch(next);
  };
}
