/**
 * Who is calling Keepsake's API. Every call carries the iframe's context JWT
 * (`Authorization: JWT <AP.context.getToken()>`): HS256 with the site's shared secret,
 * `iss` = the site's clientKey, `sub` = the user's accountId, and the literal qsh
 * `context-qsh`. The user comes from the verified token, never from the request. ACE's own
 * checks accept any qsh, so a 15-minute page-load token would pass them (docs/platform-facts.md §10):
 * this verifier insists on `context-qsh`.
 *
 * An iframe sends the same token with every call until it nears expiry, so a verified token is
 * remembered (by its exact bytes) with the secret that verified it: a later call with it skips
 * the decoding and the HMAC, and is still refused once it expires or once the site's current
 * secret is another (a reinstall) or gone (an uninstall).
 */
import { SymmetricAlgorithm, decodeSymmetric } from 'atlassian-jwt';
import { KeepsakeError } from '../errors';
import { LruMap } from '../memory/lru-map';
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

/** A verified token: who it names, until when, the secret it was signed with, and its size in memory. */
interface Verified {
  caller: Caller;
  expiresAtMs: number;
  sharedSecret: string;
  bytes: number;
}

/** Memory for remembered tokens: about 8,000 of Confluence's (a token is some 400 characters). */
const REMEMBERED_BYTES = 4 * 1024 * 1024;
/** What an entry costs beside its token's characters (two per character in a JS string). */
const ENTRY_OVERHEAD_BYTES = 200;

export class ContextTokenVerifier {
  private readonly remembered = new LruMap<string, Verified>(REMEMBERED_BYTES, (entry) => entry.bytes);

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
    const known = this.remembered.get(token);
    if (known) {
      if (known.expiresAtMs <= this.clock.now().getTime()) {
        this.remembered.delete(token);
        throw unauthenticated('The token has expired. Reload the page to get a new one.');
      }
      const install = await this.installRecords.get(known.caller.clientKey);
      if (install?.sharedSecret === known.sharedSecret) return known.caller;
      // The site's secret changed or the app left it: the token is checked again from scratch.
      this.remembered.delete(token);
    }
    let unverified: Claims;
    try {
      unverified = decodeSymmetric(token, '', SymmetricAlgorithm.HS256, true) as Claims;
    } catch {
      throw unauthenticated('The token is not a readable JWT.');
    }
    if (typeof unverified.iss !== 'string' || unverified.iss === '') throw unauthenticated('The token names no site (iss).');
    const clientKey = unverified.iss;
    const { claims, sharedSecret } = await this.verified(token, clientKey);
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= this.clock.now().getTime()) {
      throw unauthenticated('The token has expired. Reload the page to get a new one.');
    }
    if (claims.qsh !== CONTEXT_QSH) {
      throw unauthenticated('Only context tokens (qsh "context-qsh", from AP.context.getToken()) are accepted by this API.');
    }
    if (typeof claims.sub !== 'string' || claims.sub === '') throw unauthenticated('The token names no user (sub).');
    const caller = { clientKey, accountId: claims.sub };
    const bytes = 2 * token.length + ENTRY_OVERHEAD_BYTES;
    this.remembered.set(token, { caller, expiresAtMs: claims.exp * 1000, sharedSecret, bytes });
    return caller;
  }

  /** Checks the signature; a failure with a remembered secret is retried with the stored one (a reinstall changes it). */
  private async verified(token: string, clientKey: string): Promise<{ claims: Claims; sharedSecret: string }> {
    for (const fresh of [false, true]) {
      const info = await this.installRecords.get(clientKey, { fresh });
      if (!info) {
        if (fresh) throw unauthenticated('Keepsake is not installed on the site this token comes from.');
        continue;
      }
      try {
        const claims = decodeSymmetric(token, info.sharedSecret, SymmetricAlgorithm.HS256, false) as Claims;
        return { claims, sharedSecret: info.sharedSecret };
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
