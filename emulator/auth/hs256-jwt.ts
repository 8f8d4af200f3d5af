// Reading and checking HS256 JWTs (app→Confluence calls, OAuth assertions, bearer tokens),
// with messages that say what was wrong rather than a generic 401.
import { SymmetricAlgorithm, decodeSymmetric, encodeSymmetric, getAlgorithm } from 'atlassian-jwt';

export type JwtClaims = { [claim: string]: unknown };

export class JwtError extends Error {}

/** The claims of an HS256 token without checking its signature (to find the signing secret). */
export function readUnverifiedClaims(token: string): JwtClaims {
  let alg: unknown;
  try {
    alg = getAlgorithm(token);
  } catch {
    throw new JwtError('The JWT could not be decoded: it is not three base64url segments of JSON');
  }
  if (alg !== 'HS256') throw new JwtError(`The JWT must be signed with HS256, but its header says alg ${JSON.stringify(alg)}`);
  try {
    const claims: unknown = decodeSymmetric(token, 'unused', SymmetricAlgorithm.HS256, true);
    if (!claims || typeof claims !== 'object') throw new Error('not an object');
    return claims as JwtClaims;
  } catch {
    throw new JwtError('The JWT could not be decoded: its payload is not a JSON object');
  }
}

export function verifySignature(token: string, secret: string, whose: string): JwtClaims {
  try {
    return decodeSymmetric(token, secret, SymmetricAlgorithm.HS256, false) as JwtClaims;
  } catch {
    throw new JwtError(`The JWT signature does not verify with ${whose}`);
  }
}

/** exp is required and must be in the future. */
export function checkExpiry(claims: JwtClaims, nowSeconds: number): void {
  if (typeof claims.exp !== 'number') throw new JwtError('The JWT has no numeric exp claim');
  if (nowSeconds >= claims.exp) {
    throw new JwtError(
      `The JWT expired at ${new Date(claims.exp * 1000).toISOString()} (now ${new Date(nowSeconds * 1000).toISOString()})`,
    );
  }
}

export function signHs256(claims: JwtClaims, secret: string): string {
  return encodeSymmetric(claims, secret, SymmetricAlgorithm.HS256);
}

export function nowInSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
