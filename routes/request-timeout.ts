/**
 * A request that has not been answered in time gets a clear 503 instead of hanging — unless a
 * write for it is changing Confluence at that moment: then the answer waits for the write, so
 * that it tells the truth. A request answered (or whose client left) before its write began
 * writes nothing afterwards (RequestDeadline).
 */
import type { RequestHandler } from 'express';
import { KeepsakeError } from '../lib/errors';
import { RequestDeadline, runWithDeadline } from '../lib/requests/request-deadline';
import { sendError } from './error-handler';

export function requestTimeout(ms: number): RequestHandler {
  return (_req, res, next) => {
    const deadline = new RequestDeadline();
    const timer = setTimeout(() => {
      if (res.headersSent || !deadline.expire()) return;
      const error = new KeepsakeError(
        'TIMEOUT',
        `Keepsake could not finish this request within ${Math.round(ms / 1000)} seconds. Try again; what you saved before is safe.`,
        undefined,
        5,
      );
      sendError(res, error);
    }, ms);
    res.on('finish', () => clearTimeout(timer));
    res.on('close', () => {
      clearTimeout(timer);
      // The client went away before its answer: a write not yet begun is dropped.
      if (!res.writableFinished) deadline.expire();
    });
    runWithDeadline(deadline, next);
  };
}
