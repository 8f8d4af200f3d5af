// The app system token (x-forge-oauth-system: "a generic bot user") and the app user token
// (x-forge-oauth-user: "the current user's permission") Forge hands a remote
// (https://developer.atlassian.com/platform/forge/forge-remote-invocation-contract/,
// https://developer.atlassian.com/platform/forge/remote/calling-product-apis/). Real tokens are
// opaque; these are HS256 JWTs signed with the site's token key (so, like the emulator's OAuth
// tokens, they survive a restart with a state file and die with a reset), carrying the app, the
// installation, the user and the manifest's Forge scopes. The REST API accepts them only at the
// API base URL (api-gateway.ts) and checks the Forge scope of each operation (rest-scopes.ts).
import type { Request } from 'express';
import type { Caller } from '../auth/caller';
import { JwtError, checkExpiry, nowInSeconds, readUnverifiedClaims, signHs256, verifySignature } from '../auth/hs256-jwt';
import type { EmulatorContext } from '../emulator-context';
import { SCOPES, effectiveScopes } from '../scopes';
import type { InstalledApp } from '../site';
import { cameThroughApiGateway } from './api-gateway';
import { readForgeApp } from './manifest';
import { checkForgeScopes } from './rest-scopes';
import { apiBaseUrlOf } from './site-identity';

const FORGE_TOKEN_ISSUER = 'confluence-emulator-forge-oauth';

/** System tokens are "guaranteed to be valid for a min TTL of 2 hours" (documented); the emulator gives exactly that. */
export const SYSTEM_TOKEN_TTL_SECONDS = 2 * 60 * 60;
/** User tokens: "max TTL of 4 hours" (documented); an older copy said "at least 55 minutes": 55 minutes here (assumed). */
export const USER_TOKEN_TTL_SECONDS = 55 * 60;

export type ForgeTokenKind = 'system' | 'user';

export function mintForgeAppToken(ctx: EmulatorContext, app: InstalledApp, kind: ForgeTokenKind, accountId?: string): string {
  if (!app.forge) throw new Error(`the app ${app.key} was not installed through Forge`);
  if (kind === 'user' && !accountId) throw new Error('a user token needs a user');
  const iat = nowInSeconds();
  return signHs256(
    {
      iss: FORGE_TOKEN_ISSUER,
      kind,
      sub: kind === 'user' ? accountId : app.appAccountId,
      app: app.key,
      inst: app.forge.installationId,
      scopes: readForgeApp(app.forge.manifest).oauthScopes,
      iat,
      exp: iat + (kind === 'system' ? SYSTEM_TOKEN_TTL_SECONDS : USER_TOKEN_TTL_SECONDS),
    },
    ctx.site.tokenSecret,
  );
}

/** Whether a Bearer token is one of these (and not a Connect OAuth token). */
export function isForgeAppToken(token: string): boolean {
  try {
    return readUnverifiedClaims(token).iss === FORGE_TOKEN_ISSUER;
  } catch {
    return false;
  }
}

/** A refused Forge app token: 401 (not valid here) or 403 (valid, but lacks the operation's scope). */
export class ForgeAuthError extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
    readonly partialCaller: Caller,
  ) {
    super(message);
  }
}

function restPath(req: Request): string {
  const path = req.originalUrl.split('?', 1)[0];
  return path.startsWith('/wiki/rest') ? path.slice('/wiki/rest'.length) : path;
}

/** Authenticates `Authorization: Bearer <Forge app token>` on a REST call and checks its Forge scope. */
export function authenticateForgeAppToken(ctx: EmulatorContext, req: Request, token: string): Caller {
  const unverifiedKind = (() => {
    try {
      return readUnverifiedClaims(token).kind === 'user' ? 'forge-user' : 'forge-system';
    } catch {
      return 'forge-system';
    }
  })();
  const fail = (message: string, caller: Caller = { kind: unverifiedKind, scopes: new Set() }): never => {
    throw new ForgeAuthError(401, message, caller);
  };
  let claims;
  try {
    claims = verifySignature(token, ctx.site.tokenSecret, "this site's token key (was the emulator reset?)");
    checkExpiry(claims, nowInSeconds());
  } catch (err) {
    if (err instanceof JwtError) return fail(`The Forge app token is not valid: ${err.message}`);
    throw err;
  }
  const app = typeof claims.app === 'string' ? ctx.site.installedApp(claims.app) : undefined;
  if (!app || !app.forge) return fail(`The app ${String(claims.app)} of this Forge app token is not installed on this site through Forge`);
  const kind = claims.kind === 'user' ? 'forge-user' : 'forge-system';
  const partial: Caller = { kind, app, scopes: new Set() };
  if (app.forge.installationId !== claims.inst) {
    return fail(`The Forge app token was issued to an earlier installation of ${app.key} (${String(claims.inst)})`, partial);
  }
  let accountId: string | undefined;
  if (kind === 'forge-user') {
    if (typeof claims.sub !== 'string' || !ctx.site.findAccount(claims.sub))
      return fail(`The user ${String(claims.sub)} of this Forge app token does not exist`, partial);
    accountId = claims.sub;
    partial.accountId = accountId;
  }
  if (!cameThroughApiGateway(req)) {
    return fail(
      `Forge app tokens are accepted at the API base URL the FIT names (app.apiBaseUrl = ${apiBaseUrlOf(ctx)}), not on the site itself`,
      partial,
    );
  }
  const granted = new Set(Array.isArray(claims.scopes) ? claims.scopes.filter((s): s is string => typeof s === 'string') : []);
  const check = checkForgeScopes(req.method, restPath(req), granted);
  if (!check.ok) throw new ForgeAuthError(403, check.message, partial);
  // The Forge scope of this operation is held; the routes' Connect scope checks then pass.
  return { kind, app, accountId, scopes: effectiveScopes(SCOPES) };
}
