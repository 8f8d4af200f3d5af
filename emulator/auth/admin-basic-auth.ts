// The UPM API is for the site admin, who signs in with basic auth (documented credentials
// admin/admin in the emulator).
import type { RequestHandler } from 'express';
import { ADMIN_CREDENTIALS, SEEDED_USERS } from '../accounts';
import { sendError } from '../errors';
import { setCaller } from './caller';

export function adminBasicAuth(): RequestHandler {
  return (req, res, next) => {
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Basic ')) {
      setCaller(res, { kind: 'none', scopes: new Set() });
      sendError(req, res, 401, 'The UPM API requires basic authentication as a site admin', {
        'WWW-Authenticate': 'Basic realm="Confluence"',
      });
      return;
    }
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const separator = decoded.indexOf(':');
    const username = decoded.slice(0, separator);
    const password = decoded.slice(separator + 1);
    if (separator < 0 || username !== ADMIN_CREDENTIALS.username || password !== ADMIN_CREDENTIALS.password) {
      setCaller(res, { kind: 'basic', scopes: new Set() });
      sendError(req, res, 401, 'Wrong username or password for the UPM API', { 'WWW-Authenticate': 'Basic realm="Confluence"' });
      return;
    }
    setCaller(res, { kind: 'basic', scopes: new Set(), accountId: SEEDED_USERS.admin.accountId });
    next();
  };
}
