// The API's caller comes from the iframe's context token (issue 8). A verified token is
// remembered so that the calls after the first skip the HMAC (issue 11, reads): these tests try
// to get a remembered token accepted where a fresh check would refuse it.
import assert from 'node:assert/strict';
import { encodeSymmetric } from 'atlassian-jwt';
import { ContextTokenVerifier } from '../../lib/auth/context-token';
import type { KeepsakeError } from '../../lib/errors';
import type { InstallRecord, InstallRecords } from '../../lib/sites/install-records';
import { ManualClock } from './support/manual-clock';

const SITE = 'site-a';

/** Install records as the platform keeps them, changed by the test as a reinstall or an uninstall would. */
class SiteInstalls implements InstallRecords {
  record: InstallRecord | undefined = { baseUrl: 'https://a.example/wiki', sharedSecret: 'secret-1' };
  async get(): Promise<InstallRecord | undefined> {
    return this.record;
  }
  async clientKeyOf(): Promise<string | undefined> {
    return undefined;
  }
}

function contextToken(clock: ManualClock, secret: string, claims: Record<string, unknown> = {}): string {
  const now = Math.floor(clock.now().getTime() / 1000);
  return encodeSymmetric({ iss: SITE, sub: 'alice', iat: now, exp: now + 900, qsh: 'context-qsh', ...claims }, secret);
}

async function refusal(verifier: ContextTokenVerifier, token: string): Promise<string> {
  try {
    await verifier.verify(`JWT ${token}`);
  } catch (error) {
    assert.equal((error as KeepsakeError).code, 'UNAUTHENTICATED');
    return (error as KeepsakeError).message;
  }
  assert.fail('the token was accepted');
}

describe('ContextTokenVerifier', () => {
  let clock: ManualClock;
  let installs: SiteInstalls;
  let verifier: ContextTokenVerifier;
  beforeEach(() => {
    clock = new ManualClock();
    installs = new SiteInstalls();
    verifier = new ContextTokenVerifier(installs, clock);
  });

  it('names the caller of a token signed with the site’s secret, the second time as the first', async () => {
    const token = contextToken(clock, 'secret-1');
    assert.deepEqual(await verifier.verify(`JWT ${token}`), { clientKey: SITE, accountId: 'alice' });
    assert.deepEqual(await verifier.verify(`JWT ${token}`), { clientKey: SITE, accountId: 'alice' });
  });

  it('refuses a remembered token once it expires', async () => {
    const token = contextToken(clock, 'secret-1');
    await verifier.verify(`JWT ${token}`);
    clock.advance(900_000);
    assert.match(await refusal(verifier, token), /expired/);
  });

  it('refuses a remembered token once a reinstall gave the site another secret, or the app left the site', async () => {
    const token = contextToken(clock, 'secret-1');
    await verifier.verify(`JWT ${token}`);
    installs.record = { baseUrl: 'https://a.example/wiki', sharedSecret: 'secret-2' };
    assert.match(await refusal(verifier, token), /signature/);
    assert.deepEqual(await verifier.verify(`JWT ${contextToken(clock, 'secret-2')}`), { clientKey: SITE, accountId: 'alice' });

    const later = contextToken(clock, 'secret-2', { sub: 'bob' });
    await verifier.verify(`JWT ${later}`);
    installs.record = undefined;
    assert.match(await refusal(verifier, later), /not installed/);
  });

  it('remembers nothing it refused: a forged token, another qsh, or one changed by a byte after a good one', async () => {
    const good = contextToken(clock, 'secret-1');
    await verifier.verify(`JWT ${good}`);
    const forged = contextToken(clock, 'not-the-secret');
    assert.match(await refusal(verifier, forged), /signature/);
    assert.match(await refusal(verifier, forged), /signature/);
    assert.match(await refusal(verifier, contextToken(clock, 'secret-1', { qsh: 'abc' })), /context-qsh/);
    const [header, payload, signature] = good.split('.');
    const otherUser = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'bob' })).toString(
      'base64url',
    );
    assert.match(await refusal(verifier, `${header}.${otherUser}.${signature}`), /signature/);
  });
});
