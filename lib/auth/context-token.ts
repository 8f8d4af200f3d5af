/**
 * Who is calling Keepsake's API. Every call carries the iframe's context JWT
 * (`Authorization: JWT <AP.context.getToken()>`): HS256 with the site's shared secret,
 * `iss` = the site's clientKey, `sub` = the user's accountId, and the literal qsh
 * `context-qsh`. The user comes from the verified token, never from the request. ACE's own
 * checks accept any qsh, so a 15-minute page-load token would pass them (docs/platform-facts.md §10):
 * this verifier insists on `context-qsh`.
 */
import { SymmetricAlgorithm, decodeSymmetric } from 'atlassian-jwt';
import { KeepsakeError } from '../errors';
import type { InstallRecords } from '../sites/install-records';
import { systemClock, type Clock } from '../time/clock';

export interface Caller {
  clientKey: string;
  accountId: string;
}

interface Claims {
  iss?: unknown;
  sub?: unknown;
  exp?: unknown;
  qsh?: unknown;
}

const CONTEXT_QSH = 'context-qsh';

export class ContextTokenVerifier {
  constructor(
    private readonly installRecords: InstallRecords,
    private readonly clock: Clock = systemClock,
  ) {}

  async verify(authorization: string | undefined): Promise<Caller> {
    const match = /^JWT\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) {
      throw unauthenticated('Send the context token of the Keepsake iframe as "Authorization: JWT <token>" (AP.context.getToken()).');
    }
    const token = match[1];
    let unverified: Claims;
    try {
      unverified = decodeSymmetric(token, '', SymmetricAlgorithm.HS256, true) as Claims;
    } catch {
      throw unauthenticated('The token is not a readable JWT.');
    }
    if (typeof unverified.iss !== 'string' || unverified.iss === '') throw unauthenticated('The token names no site (iss).');
    const clientKey = unverified.iss;
    const claims = (await this.verified(token, clientKey)) as Claims;
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= this.clock.now().getTime()) {
      throw unauthenticated('The token has expired. Reload the page to get a new one.');
    }
    if (claims.qsh !== CONTEXT_QSH) {
      throw unauthenticated('Only context tokens (qsh "context-qsh", from AP.context.getToken()) are accepted by this API.');
    }
    if (typeof claims.sub !== 'string' || claims.sub === '') throw unauthenticated('The token names no user (sub).');
    return { clientKey, accountId: claims.sub };
  }

  /** Checks the signature; a failure with a remembered secret is retried with the stored one (a reinstall changes it). */
  private async verified(token: string, clientKey: string): Promise<unknown> {
    for (const fresh of [false, true]) {
      const info = await this.installRecords.get(clientKey, { fresh });
      if (!info) {
        if (fresh) throw unauthenticated('Keepsake is not installed on the site this token comes from.');
        continue;
      }
      try {
        return decodeSymmetric(token, info.sharedSecret, SymmetricAlgorithm.HS256, false);
      } catch {
        if (fresh) throw unauthenticated("The token's signature does not match this site's install.");
      }
    }
    throw unauthenticated('The token could not be verified.');
  }
}

function unauthenticated(message: string): KeepsakeError {
  return new KeepsakeError('UNAUTHENTICATED', message);
}
