// Authenticates every REST call under /wiki/rest (except UPM): `Authorization: JWT` (the app,
// HS256 with the install's sharedSecret, iss = app key, exp, qsh), `Authorization: Bearer`
// (an app acting as a user, or a Forge app token at the API base URL — emulator/forge/), or an
// AP.request ticket. Anything else is a 401 with a reason.
import type { Request, RequestHandler } from 'express';
import type { EmulatorContext } from '../emulator-context';
import { sendError } from '../errors';
import { effectiveScopes } from '../scopes';
import { AP_REQUEST_AUTH_SCHEME } from './ap-request-tickets';
import { cameThroughApiGateway } from '../forge/api-gateway';
import { ForgeAuthError, authenticateForgeAppToken, isForgeAppToken } from '../forge/app-tokens';
import { verifyBearerToken } from './bearer-tokens';
import { type Caller, setCaller } from './caller';
import { JwtError, checkExpiry, nowInSeconds, readUnverifiedClaims, verifySignature } from './hs256-jwt';
import { acceptableQueryStringHashes, canonicalRequest } from './query-string-hash';

class AuthError extends Error {
  constructor(
    message: string,
    readonly partialCaller: Caller,
    readonly status: 401 | 403 = 401,
  ) {
    super(message);
  }
}

function noCaller(kind: Caller['kind']): Caller {
  return { kind, scopes: new Set() };
}

function jwtFromRequest(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (header && header.startsWith('JWT ')) return header.slice(4).trim();
  const inQuery = req.query.jwt;
  return typeof inQuery === 'string' ? inQuery : undefined;
}

function authenticateAppJwt(ctx: EmulatorContext, req: Request, token: string): Caller {
  const fail = (message: string, caller: Caller = noCaller('jwt')): never => {
    throw new AuthError(message, caller);
  };
  let claims;
  try {
    claims = readUnverifiedClaims(token);
  } catch (err) {
    return fail((err as Error).message);
  }
  if (typeof claims.iss !== 'string' || claims.iss === '') return fail('The JWT has no iss claim; it must be the app key');
  const app = ctx.site.findApp(claims.iss);
  if (!app) {
    const byClientKey = ctx.site.listApps().find((a) => a.clientKey === claims.iss);
    if (byClientKey) return fail(`The JWT iss is the clientKey of ${byClientKey.key}; calls to Confluence must use the app key as iss`);
    return fail(`The JWT iss ${JSON.stringify(claims.iss)} is not the key of an app installed on this site`);
  }
  const partial: Caller = { kind: 'jwt', app, scopes: new Set() };
  if (app.status !== 'installed') return fail(`The app ${app.key} is not installed on this site`, partial);
  try {
    const verified = verifySignature(token, app.sharedSecret, `the sharedSecret of the current installation of ${app.key}`);
    checkExpiry(verified, nowInSeconds());
    if (typeof verified.qsh !== 'string') return fail('The JWT has no qsh claim', partial);
    if (verified.qsh === 'context-qsh') return fail('A context JWT (qsh "context-qsh") cannot authenticate a call to Confluence', partial);
    if (!acceptableQueryStringHashes(req.method, req.originalUrl, ctx.urls.siteUrl).has(verified.qsh)) {
      return fail(
        `The JWT qsh does not match this request; expected the hash of "${canonicalRequest(req.method, req.originalUrl, ctx.urls.siteUrl)}"`,
        partial,
      );
    }
  } catch (err) {
    if (err instanceof AuthError) throw err;
    if (err instanceof JwtError) return fail(err.message, partial);
    throw err;
  }
  return { kind: 'jwt', app, scopes: effectiveScopes(app.scopes) };
}

function authenticateBearer(ctx: EmulatorContext, token: string): Caller {
  try {
    const identity = verifyBearerToken(ctx, token);
    return { kind: 'bearer', app: identity.app, accountId: identity.accountId, scopes: effectiveScopes(identity.scopes) };
  } catch (err) {
    if (err instanceof JwtError) throw new AuthError(err.message, noCaller('bearer'));
    throw err;
  }
}

function authenticateApRequest(ctx: EmulatorContext, ticket: string): Caller {
  const identity = ctx.apTickets.redeem(ticket);
  const app = identity && ctx.site.installedApp(identity.appKey);
  if (!identity || !app)
    throw new AuthError('The AP.request ticket is unknown, used, or its app is no longer installed', noCaller('ap-request'));
  return { kind: 'ap-request', app, accountId: identity.accountId, scopes: effectiveScopes(app.scopes) };
}

function authenticate(ctx: EmulatorContext, req: Request): Caller {
  const header = req.headers.authorization ?? '';
  const bearer = header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
  if (bearer !== undefined && isForgeAppToken(bearer)) {
    try {
      return authenticateForgeAppToken(ctx, req, bearer);
    } catch (err) {
      if (err instanceof ForgeAuthError) throw new AuthError(err.message, err.partialCaller, err.status);
      throw err;
    }
  }
  if (cameThroughApiGateway(req)) {
    throw new AuthError(
      'The API base URL accepts Forge app tokens only (x-forge-oauth-system, x-forge-oauth-user) as Authorization: Bearer',
      noCaller('none'),
    );
  }
  const jwt = jwtFromRequest(req);
  if (jwt) return authenticateAppJwt(ctx, req, jwt);
  if (header.startsWith('Bearer ')) return authenticateBearer(ctx, header.slice(7).trim());
  if (header.startsWith(`${AP_REQUEST_AUTH_SCHEME} `))
    return authenticateApRequest(ctx, header.slice(AP_REQUEST_AUTH_SCHEME.length + 1).trim());
  if (header.startsWith('Basic ')) {
    throw new AuthError(
      'Basic authentication is only accepted by the UPM API (/wiki/rest/plugins/1.0); apps authenticate with JWT or Bearer',
      noCaller('basic'),
    );
  }
  throw new AuthError('This resource requires authentication: send Authorization: JWT <token> or Bearer <token>', noCaller('none'));
}

export function restAuthentication(ctx: EmulatorContext): RequestHandler {
  return (req, res, next) => {
    try {
      setCaller(res, authenticate(ctx, req));
      next();
    } catch (err) {
      if (!(err instanceof AuthError)) {
        next(err);
        return;
      }
      setCaller(res, err.partialCaller);
      sendError(req, res, err.status, err.message);
    }
  };
}
