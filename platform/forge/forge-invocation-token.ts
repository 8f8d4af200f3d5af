/**
 * The Forge Invocation Token (FIT) on a call Forge makes to Keepsake as its remote: a JWT
 * signed RS256 by Forge, keys published as a JWKS, issuer `forge/invocation-token`, audience
 * the app's id (docs/platform-facts.md §6 (Forge Remote), Forge's remote invocation contract). ACE has a
 * verifier, but with the JWKS address hard-coded and fetched anew on every request; this one
 * takes the address as a setting (the emulator's, in development and tests) and keeps the key
 * set, which jose refreshes when a token names a key it has not seen.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { KeepsakeError } from '../../lib/errors';

const ISSUER = 'forge/invocation-token';
const APP_ARI_PREFIX = 'ari:cloud:ecosystem::app/';

/** What Keepsake uses of a verified FIT. */
export interface ForgeInvocation {
  installationId: string;
  /** Where the remote calls the product's REST API: `${apiBaseUrl}/wiki/rest/…`. */
  apiBaseUrl: string;
  /** The user the invocation is made for, when a user made it (not for scheduled triggers). */
  accountId?: string;
}

export class ForgeInvocationTokens {
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;
  private readonly audience: string;

  constructor(appId: string, jwksUrl: string) {
    this.audience = appId.startsWith(APP_ARI_PREFIX) ? appId : `${APP_ARI_PREFIX}${appId}`;
    this.keys = createRemoteJWKSet(new URL(jwksUrl));
  }

  /** The invocation an `Authorization: Bearer <FIT>` header stands for; UNAUTHENTICATED saying why not. */
  async verify(authorization: string | undefined): Promise<ForgeInvocation> {
    const token = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw refused('the call carries none (Authorization: Bearer …).');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, { issuer: ISSUER, audience: this.audience, algorithms: ['RS256'] }));
    } catch (error) {
      throw failure(error);
    }
    const app = (payload.app ?? {}) as { installationId?: unknown; apiBaseUrl?: unknown };
    if (typeof app.installationId !== 'string' || typeof app.apiBaseUrl !== 'string') {
      throw refused('it names no installation or API base URL.');
    }
    return {
      installationId: app.installationId,
      apiBaseUrl: app.apiBaseUrl,
      ...(typeof payload.principal === 'string' ? { accountId: payload.principal } : {}),
    };
  }
}

function refused(why: string): KeepsakeError {
  return new KeepsakeError('UNAUTHENTICATED', `Keepsake accepts calls from Forge only with a valid Forge invocation token: ${why}`);
}

/** A token that does not check out is refused; Forge's keys out of reach is not the caller's fault. */
function failure(error: unknown): KeepsakeError {
  if (error instanceof errors.JWTExpired) return refused('it has expired.');
  if (error instanceof errors.JWTClaimValidationFailed)
    return refused(`its ${error.claim} claim is not ${error.claim === 'aud' ? "this app's id" : 'the expected one'}.`);
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return refused('its signature does not check out against Forge’s keys.');
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || !(error instanceof errors.JOSEError)) {
    return new KeepsakeError(
      'TIMEOUT',
      'Forge’s token keys could not be fetched to check the invocation; Forge retries the call.',
      undefined,
      5,
    );
  }
  return refused(`it is not a valid token (${error.code}).`);
}
