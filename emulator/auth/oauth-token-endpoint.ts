// The OAuth 2.0 JWT-bearer token endpoint apps with ACT_AS_USER use to act as a user
// (docs/platform-facts.md §3; the assertion as built by node_modules/atlassian-oauth2/lib/oauth2.js):
// POST /oauth2/token, form fields grant_type, assertion, optional scope.
// Errors use RFC 6749's {error, error_description} plus the emulator's {statusCode, message}.
// One authorization server serves every site of the emulator, as Atlassian's serves every site:
// the oauthClientId finds the installation, and the assertion's `tnt` must be its site.
import express, { Router, type Request, type Response } from 'express';
import type { EmulatorContext } from '../emulator-context';
import { logInto } from '../request-log';
import { effectiveScopes, isScope, type Scope } from '../scopes';
import type { InstalledApp } from '../site';
import { mintBearerToken } from './bearer-tokens';
import { setCaller } from './caller';
import { JwtError, checkExpiry, nowInSeconds, readUnverifiedClaims, verifySignature } from './hs256-jwt';

const GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const CLIENT_ID_PREFIX = 'urn:atlassian:connect:clientid:';
const ACCOUNT_ID_PREFIX = 'urn:atlassian:connect:useraccountid:';
/** The assertion may live at most 60 s (one second of slack for rounding). */
const MAX_ASSERTION_LIFETIME_SECONDS = 61;

class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
  ) {
    super(message);
  }
}

function sameUrl(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}

function field(req: Request, name: string): string | undefined {
  const body = req.body as Record<string, unknown> | undefined;
  const value = body?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** The site the token is for (its context), the app installation and the user. */
function checkAssertion(
  ctx: EmulatorContext,
  assertion: string,
  res: Response,
): { site: EmulatorContext; app: InstalledApp; accountId: string } {
  const invalid = (message: string): never => {
    throw new OAuthError(400, 'invalid_grant', message);
  };
  let claims;
  try {
    claims = readUnverifiedClaims(assertion);
  } catch (err) {
    return invalid((err as Error).message);
  }
  if (typeof claims.iss !== 'string' || !claims.iss.startsWith(CLIENT_ID_PREFIX)) {
    return invalid(`The assertion iss must be ${CLIENT_ID_PREFIX}<oauthClientId>, got ${JSON.stringify(claims.iss)}`);
  }
  const install = ctx.sites.findInstallByOauthClientId(claims.iss.slice(CLIENT_ID_PREFIX.length));
  if (!install)
    throw new OAuthError(
      401,
      'invalid_client',
      'The oauthClientId in the assertion iss belongs to no installed app (was the app reinstalled?)',
    );
  const { context: site, app } = install;
  logInto(res, site.requestLog);
  try {
    const verified = verifySignature(assertion, app.sharedSecret, `the sharedSecret of the current installation of ${app.key}`);
    checkExpiry(verified, nowInSeconds());
    if ((verified.exp as number) - nowInSeconds() > MAX_ASSERTION_LIFETIME_SECONDS)
      invalid('The assertion exp is more than 60 seconds away');
    if (typeof verified.tnt !== 'string' || !sameUrl(verified.tnt, site.urls.siteUrl)) {
      invalid(
        `The assertion tnt must be the baseUrl of the site ${app.key} is installed on, ${site.urls.siteUrl}, got ${JSON.stringify(verified.tnt)}`,
      );
    }
    // atlassian-jwt turns a string aud into a one-element array when decoding.
    const aud = Array.isArray(verified.aud) && verified.aud.length === 1 ? verified.aud[0] : verified.aud;
    if (typeof aud !== 'string' || !sameUrl(aud, ctx.urls.oauthServerUrl)) {
      invalid(`The assertion aud must be this authorization server, ${ctx.urls.oauthServerUrl}, got ${JSON.stringify(aud)}`);
    }
    if (typeof verified.sub !== 'string' || !verified.sub.startsWith(ACCOUNT_ID_PREFIX)) {
      invalid(
        `The assertion sub must be ${ACCOUNT_ID_PREFIX}<accountId> (user keys are no longer supported), got ${JSON.stringify(verified.sub)}`,
      );
    }
    const accountId = (verified.sub as string).slice(ACCOUNT_ID_PREFIX.length);
    if (!site.site.findAccount(accountId)) invalid(`The user ${accountId} does not exist on the site ${site.urls.siteUrl}`);
    return { site, app, accountId };
  } catch (err) {
    if (err instanceof JwtError) return invalid(err.message);
    throw err;
  }
}

function grantedScopes(app: InstalledApp, requested: string | undefined): Scope[] {
  if (requested === undefined || requested.trim() === '') return app.scopes;
  const granted = effectiveScopes(app.scopes);
  const names = requested
    .trim()
    .split(/\s+/)
    .map((s) => s.toUpperCase());
  const refused = names.filter((n) => !isScope(n) || !granted.has(n));
  if (refused.length > 0)
    throw new OAuthError(400, 'invalid_scope', `The app ${app.key} was not granted the scope(s) ${refused.join(', ')}`);
  return names as Scope[];
}

function sendOAuthError(res: Response, err: OAuthError): void {
  res.status(err.status).json({ error: err.error, error_description: err.message, statusCode: err.status, message: err.message });
}

export function oauthTokenRouter(ctx: EmulatorContext): Router {
  const router = Router();
  router.post('/token', express.urlencoded({ extended: false, limit: '64kb' }), express.json({ limit: '64kb' }), (req, res) => {
    setCaller(res, { kind: 'none', scopes: new Set() });
    try {
      if (field(req, 'grant_type') !== GRANT_TYPE) {
        throw new OAuthError(400, 'unsupported_grant_type', `grant_type must be ${GRANT_TYPE}`);
      }
      const assertion = field(req, 'assertion');
      if (!assertion) throw new OAuthError(400, 'invalid_request', 'The assertion field is missing');
      const { site, app, accountId } = checkAssertion(ctx, assertion, res);
      setCaller(res, { kind: 'none', app, accountId, scopes: new Set() });
      if (!app.scopes.includes('ACT_AS_USER')) {
        throw new OAuthError(400, 'unauthorized_client', `The app ${app.key} does not declare the ACT_AS_USER scope`);
      }
      const scopes = grantedScopes(app, field(req, 'scope'));
      const { token, expiresIn } = mintBearerToken(site, app, accountId, scopes);
      res.json({ access_token: token, expires_in: expiresIn, token_type: 'Bearer' });
    } catch (err) {
      if (err instanceof OAuthError) sendOAuthError(res, err);
      else throw err;
    }
  });
  return router;
}
