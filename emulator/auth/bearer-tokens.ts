// Access tokens of the emulator's OAuth 2.0 server. They are HS256 JWTs signed with a secret
// kept in the site state, so they outlive an emulator restart the way real tokens would, and
// stop working when the app is reinstalled (new oauthClientId) or uninstalled.
import type { EmulatorContext } from '../emulator-context';
import { isScope, type Scope } from '../scopes';
import type { InstalledApp } from '../site';
import { JwtError, checkExpiry, nowInSeconds, readUnverifiedClaims, signHs256, verifySignature } from './hs256-jwt';

const TOKEN_ISSUER = 'confluence-emulator-oauth2';

export interface BearerIdentity {
  app: InstalledApp;
  accountId: string;
  scopes: Scope[];
}

export function mintBearerToken(
  ctx: EmulatorContext,
  app: InstalledApp,
  accountId: string,
  scopes: Scope[],
): { token: string; expiresIn: number } {
  const now = nowInSeconds();
  const expiresIn = ctx.settings.bearerTokenTtlSeconds;
  const token = signHs256(
    { iss: TOKEN_ISSUER, sub: accountId, app: app.key, cid: app.oauthClientId, scopes, iat: now, exp: now + expiresIn },
    ctx.site.tokenSecret,
  );
  return { token, expiresIn };
}

export function verifyBearerToken(ctx: EmulatorContext, token: string): BearerIdentity {
  const unverified = readUnverifiedClaims(token);
  if (unverified.iss !== TOKEN_ISSUER) throw new JwtError("The bearer token was not issued by this site's OAuth 2.0 server");
  const claims = verifySignature(token, ctx.site.tokenSecret, "this site's token key (was the emulator reset?)");
  checkExpiry(claims, nowInSeconds());
  const app = typeof claims.app === 'string' ? ctx.site.installedApp(claims.app) : undefined;
  if (!app) throw new JwtError(`The app ${String(claims.app)} of this bearer token is not installed on this site`);
  if (app.oauthClientId !== claims.cid) throw new JwtError('The bearer token was issued to an earlier installation of the app');
  if (typeof claims.sub !== 'string' || !ctx.site.findAccount(claims.sub)) {
    throw new JwtError(`The user ${String(claims.sub)} of this bearer token does not exist`);
  }
  const scopes = Array.isArray(claims.scopes) ? claims.scopes.filter((s): s is Scope => typeof s === 'string' && isScope(s)) : [];
  return { app, accountId: claims.sub, scopes };
}
