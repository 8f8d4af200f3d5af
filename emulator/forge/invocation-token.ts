// Forge Invocation Tokens (FIT): what Forge puts in `authorization: Bearer` on every call to a
// remote. RS256 with a `kid`, iss "forge/invocation-token", aud the app id, and the claims of
// https://developer.atlassian.com/platform/forge/forge-remote-invocation-contract/ ("The Forge
// Invocation Token (FIT)"). The public keys are served as a JWKS (GET /_emulator/forge/jwks),
// standing in for https://forge.cdn.prod.atlassian-dev.net/.well-known/jwks.json.
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { AsymmetricAlgorithm, encodeAsymmetric } from 'atlassian-jwt';
import { nowInSeconds } from '../auth/hs256-jwt';
import type { EmulatorContext } from '../emulator-context';
import type { InstalledApp, JsonObject } from '../site';
import { APP_ARI_PREFIX } from './manifest';
import { apiBaseUrlOf, cloudIdOf, siteUrlOf } from './site-identity';

export const FIT_ISSUER = 'forge/invocation-token';
/** Atlassian's example FIT lives 25 s (iat 1700175149, exp 1700175174), the UI-call timeout. */
export const FIT_TTL_SECONDS = 25;

interface FitKeys {
  kid: string;
  privateKeyPem: string;
  jwk: JsonObject;
}

/**
 * One key pair per emulator process, like the install keys, and shared by its sites as Forge's
 * one JWKS serves every site: keyed by the install keys, the object every site of a process shares.
 */
const keysByEmulator = new WeakMap<EmulatorContext['installKeys'], FitKeys>();

function fitKeys(ctx: EmulatorContext): FitKeys {
  let keys = keysByEmulator.get(ctx.installKeys);
  if (!keys) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const kid = `forge/invocation-token/${randomUUID()}`;
    const jwk = createPublicKey(publicKey).export({ format: 'jwk' }) as JsonObject;
    keys = { kid, privateKeyPem: privateKey, jwk: { ...jwk, kid, alg: 'RS256', use: 'sig' } };
    keysByEmulator.set(ctx.installKeys, keys);
  }
  return keys;
}

/** The JWKS document: {keys: [{kty, n, e, kid, alg, use}]}. */
export function forgeJwks(ctx: EmulatorContext): { keys: JsonObject[] } {
  return { keys: [fitKeys(ctx).jwk] };
}

/** A UUID-shaped id derived from a seed, for ids that must stay the same without being stored. */
function derivedUuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface FitRequest {
  app: InstalledApp;
  /** The endpoint module invoked (app.module.key). */
  endpointKey: string;
  /** The user in session, for UI-module invocations; absent for triggers. */
  accountId?: string;
  /** Extra context claims (e.g. moduleKey of a scheduled trigger). */
  context?: JsonObject;
  ttlSeconds?: number;
}

export function mintInvocationToken(ctx: EmulatorContext, request: FitRequest): string {
  const forge = request.app.forge;
  if (!forge) throw new Error(`the app ${request.app.key} was not installed through Forge`);
  const iat = nowInSeconds();
  const apiBaseUrl = apiBaseUrlOf(ctx);
  const cloudId = cloudIdOf(ctx);
  const appUuid = forge.appId.slice(APP_ARI_PREFIX.length);
  const claims = {
    app: {
      id: forge.appId,
      appVersion: `${forge.majorVersion}.${forge.minorVersion}.0`,
      installationId: forge.installationId,
      apiBaseUrl,
      environment: {
        type: 'DEVELOPMENT',
        id: `ari:cloud:ecosystem::environment/${appUuid}/${derivedUuid(`${forge.appId}\u0000development`)}`,
      },
      module: { type: 'core:endpoint', key: request.endpointKey },
      installation: { id: forge.installationId, contexts: [{ name: 'confluence', apiBaseUrl, cloudId }] },
    },
    context: { cloudId, siteUrl: siteUrlOf(ctx), ...(request.context ?? {}) },
    ...(request.accountId ? { principal: request.accountId } : {}),
    aud: forge.appId,
    iss: FIT_ISSUER,
    iat,
    nbf: iat,
    exp: iat + (request.ttlSeconds ?? FIT_TTL_SECONDS),
    jti: randomBytes(20).toString('hex'),
  };
  const keys = fitKeys(ctx);
  return encodeAsymmetric(claims, keys.privateKeyPem, AsymmetricAlgorithm.RS256, { kid: keys.kid });
}
