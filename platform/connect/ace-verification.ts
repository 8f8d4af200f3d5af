/**
 * ACE's checks of Confluence's tokens (page loads, lifecycle callbacks), with their failures
 * handed to Keepsake's error handling.
 *
 * Left alone, ACE answers a failed check itself, as text or HTML by the Accept header, logs it
 * at warn (page tokens) or error (install callbacks) although a missing or forged token is the
 * caller's input, and throws on a token it cannot parse (a 500). Here the same middleware runs
 * on a view of the add-on whose config turns on ACE's own `expressErrorHandling` (a failure is
 * passed to next()) and whose logger writes ACE's lines at debug; the failure then becomes a
 * KeepsakeError with a code, answered as JSON or, for an iframe, as a page.
 */
import type { RequestHandler } from 'express';
import type { AddOn } from 'atlassian-connect-express';
import { KeepsakeError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { aceLogger } from './ace-logger';

export interface AceVerification {
  /** addon.authenticate(): a page load or an HS256-signed callback. */
  authenticate(): RequestHandler;
  /** addon.verifyInstallation(): the RS256-signed `installed` callback. */
  verifyInstallation(): RequestHandler;
  /** addon.authenticateInstall(): the RS256-signed `uninstalled` callback. */
  authenticateInstall(): RequestHandler;
}

/** What ACE passes to next() when `expressErrorHandling` is on. */
interface AceFailure {
  code?: unknown;
  message?: unknown;
}

export function aceVerification(addon: AddOn, logger: Logger): AceVerification {
  const ace = aceLogger(logger);
  const debug = (...args: unknown[]) => ace.debug(...args);
  const quiet = { debug, info: debug, log: debug, warn: debug, error: debug };
  const config = Object.create(addon.config, { expressErrorHandling: { value: () => true } }) as AddOn['config'];
  const view = Object.create(addon, { config: { value: config }, logger: { value: quiet } }) as AddOn;

  const wrap =
    (middleware: RequestHandler): RequestHandler =>
    (req, res, next) => {
      const failed = (failure: unknown) => next(failure === undefined ? undefined : toError(failure));
      try {
        middleware(req, res, failed);
      } catch (error) {
        // ACE reads the token's header synchronously (install callbacks): only a token that is
        // not a JWT at all gets here.
        logger.debug({ err: error }, 'unreadable token');
        next(new KeepsakeError('UNAUTHENTICATED', "The request's token is not a readable JWT."));
      }
    };

  return {
    authenticate: () => wrap(view.authenticate()),
    verifyInstallation: () => wrap(view.verifyInstallation()),
    authenticateInstall: () => wrap(view.authenticateInstall()),
  };
}

/** ACE's `{code, message}` as a KeepsakeError; its 5xx (a store that does not answer) stays Keepsake's fault. */
function toError(failure: unknown): unknown {
  if (failure instanceof Error) return failure;
  const { code, message } = (failure ?? {}) as AceFailure;
  const reason = typeof message === 'string' && message !== '' ? message : 'the token was refused';
  if (typeof code === 'number' && code >= 500) return new Error(`ACE could not verify a request: ${reason}`);
  // Without a code, ACE's check threw while reading the token (e.g. `?jwt=a&jwt=b`): still the caller's input.
  return new KeepsakeError(
    'UNAUTHENTICATED',
    `Keepsake could not verify who sent this request (${reason}). Confluence signs every call to Keepsake; load the page again from Confluence.`,
  );
}
