// The control API can rewrite the whole site, so it answers only callers on this machine.
import type { RequestHandler } from 'express';
import { sendError } from '../errors';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export function loopbackOnly(): RequestHandler {
  return (req, res, next) => {
    if (LOOPBACK.has(req.socket.remoteAddress ?? '')) {
      next();
      return;
    }
    sendError(req, res, 403, 'The emulator control API only answers calls from this machine (loopback)');
  };
}
