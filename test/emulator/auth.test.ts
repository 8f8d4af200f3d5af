// Conformance: authentication of REST calls (docs/platform-facts.md §3). The positive cases go
// through ACE's httpClient; the negative ones are hand-made with atlassian-jwt, next to a
// hand-made token that is valid, so each 401 is for the stated reason only.
import assert from 'node:assert/strict';
import * as jwt from 'atlassian-jwt';
import { SEEDED_USERS } from '../../emulator';
import { type RawResponse, hostCall, qshOf, rawRequest, signAppJwt } from '../support/ace-test-app';
import { type InstalledTestApp, type Site, assertError, assertStatus, startSite, userPropertyPath, withInstalledApp } from './harness';

const alice = SEEDED_USERS.alice.accountId;

describe('emulator conformance: authentication of REST calls', function () {
  let site: Site;
  let app: InstalledTestApp;
  let noActAsUser: InstalledTestApp;
  const path = userPropertyPath(alice);

  before(async function () {
    site = await startSite();
    app = await site.installApp();
    noActAsUser = await site.installApp({ scopes: ['READ', 'WRITE'] });
  });

  after(async function () {
    await site?.close();
  });

  function get(token: string | undefined, p = path, authScheme = 'JWT'): Promise<RawResponse> {
    return rawRequest(`${site.emu.siteUrl}${p}`, { headers: token === undefined ? {} : { Authorization: `${authScheme} ${token}` } });
  }

  function secret(): string {
    return app.installInfo.sharedSecret;
  }

  it('accepts a hand-made token that follows the rules (control case)', async function () {
    const token = signAppJwt({ iss: app.key, secret: secret(), method: 'GET', path });
    assertStatus(await get(token), 200);
  });

  it('accepts a hand-made token with query parameters in the qsh (sorted, RFC 3986)', async function () {
    const query = { start: '0', limit: '5' };
    const token = signAppJwt({ iss: app.key, secret: secret(), method: 'GET', path, query });
    assertStatus(await get(token, `${path}?start=0&limit=5`), 200);
  });

  it('accepts the JWT in the jwt query parameter (excluded from the qsh)', async function () {
    const token = signAppJwt({ iss: app.key, secret: secret(), method: 'GET', path, query: { limit: '2' } });
    assertStatus(await rawRequest(`${site.emu.siteUrl}${path}?limit=2&jwt=${encodeURIComponent(token)}`), 200);
  });

  it('qsh: repeated query values are sorted and joined with ","', async function () {
    const p = '/rest/api/content/65601';
    const token = signAppJwt({ iss: app.key, secret: secret(), method: 'GET', path: p, query: { expand: ['version', 'history'] } });
    assertStatus(await get(token, `${p}?expand=version&expand=history`), 200);
  });

  it('qsh: query values are RFC 3986 encoded (space as %20, * as %2A)', async function () {
    const p = '/rest/api/content';
    const token = signAppJwt({ iss: app.key, secret: secret(), method: 'GET', path: p, query: { spaceKey: 'ENG', note: 'a b*c' } });
    assert.match(jwt.createCanonicalRequest({ method: 'GET', pathname: p, query: { spaceKey: 'ENG', note: 'a b*c' } }), /note=a%20b%2Ac/);
    assertStatus(await get(token, `${p}?spaceKey=ENG&note=a%20b*c`), 200);
  });

  it('qsh: the path is hashed without a trailing slash', async function () {
    const p = '/rest/api/content/65601';
    const token = signAppJwt({ iss: app.key, secret: secret(), method: 'GET', path: p });
    assertStatus(await get(token, `${p}/`), 200);
  });

  it('a token with the clientKey as iss → 401 (calls to Confluence use the app key)', async function () {
    const token = signAppJwt({ iss: app.clientKey, secret: secret(), method: 'GET', path });
    assertError(await get(token), 401);
  });

  it('a token of another installed app, signed with this app’s secret → 401', async function () {
    const token = signAppJwt({ iss: noActAsUser.key, secret: secret(), method: 'GET', path });
    assertError(await get(token), 401, /signature/i);
  });

  it('ACE-signed calls succeed (JWT with aud [clientKey], 3-minute exp)', async function () {
    assertStatus(await app.call('get', path), 200);
  });

  it('no Authorization header → 401 with a message', async function () {
    assertError(await get(undefined), 401);
  });

  it('a wrong signature → 401 with a message', async function () {
    const token = signAppJwt({ iss: app.key, secret: 'not-the-shared-secret-not-the-shared-secret', method: 'GET', path });
    assertError(await get(token), 401, /signature/i);
  });

  it('an expired token → 401 with a message', async function () {
    const now = Math.floor(Date.now() / 1000);
    const token = signAppJwt({ iss: app.key, secret: secret(), method: 'GET', path, iat: now - 600, exp: now - 300 });
    assertError(await get(token), 401, /expire/i);
  });

  it('a token without exp → 401', async function () {
    const now = Math.floor(Date.now() / 1000);
    const token = jwt.encodeSymmetric({ iss: app.key, iat: now, qsh: qshOf('GET', path) }, secret(), jwt.SymmetricAlgorithm.HS256);
    assertError(await get(token), 401);
  });

  it('a wrong qsh (another path) → 401 with a message', async function () {
    const token = signAppJwt({ iss: app.key, secret: secret(), method: 'GET', path, qsh: qshOf('GET', '/rest/api/user/current') });
    assertError(await get(token), 401, /qsh|query string hash|query hash/i);
  });

  it('a qsh computed on the path with /wiki → 401 (qsh is relative to the baseUrl)', async function () {
    const token = signAppJwt({ iss: app.key, secret: secret(), method: 'GET', path, qsh: qshOf('GET', `/wiki${path}`) });
    assertError(await get(token), 401);
  });

  it('a qsh for another method → 401', async function () {
    const token = signAppJwt({ iss: app.key, secret: secret(), method: 'DELETE', path });
    assertError(await get(token), 401);
  });

  it('an unknown app (iss) → 401 with a message', async function () {
    const token = signAppJwt({ iss: 'no-such-app', secret: secret(), method: 'GET', path });
    assertError(await get(token), 401);
  });

  it('a token that is not a JWT → 401', async function () {
    assertError(await get('not.a.jwt'), 401);
    assertError(await get('garbage'), 401);
  });

  it('a token signed with another alg (HS512) → 401', async function () {
    const now = Math.floor(Date.now() / 1000);
    const token = jwt.encodeSymmetric(
      { iss: app.key, iat: now, exp: now + 60, qsh: qshOf('GET', path) },
      secret(),
      jwt.SymmetricAlgorithm.HS512,
    );
    assertError(await get(token), 401);
  });

  it('a Bearer token the emulator never minted → 401', async function () {
    assertError(await get('made-up-token', path, 'Bearer'), 401);
    const forged = jwt.encodeSymmetric(
      { sub: alice, iss: app.clientKey, exp: Math.floor(Date.now() / 1000) + 60 },
      secret(),
      jwt.SymmetricAlgorithm.HS256,
    );
    assertError(await get(forged, path, 'Bearer'), 401);
  });

  it('asUserByAccountId: ACE gets a Bearer token from the emulator and the call acts as the user', async function () {
    const res = await app.call<{ accountId?: string }>('get', '/rest/api/user/current', { as: alice });
    assertStatus(res, 200);
    assert.equal(res.body.accountId, alice);
  });

  /** The JWT-bearer assertion ACE (atlassian-oauth2) sends to act as alice. */
  function assertionClaims(now = Math.floor(Date.now() / 1000)) {
    return {
      iss: `urn:atlassian:connect:clientid:${app.installInfo.oauthClientId}`,
      sub: `urn:atlassian:connect:useraccountid:${alice}`,
      tnt: site.emu.siteUrl,
      aud: site.emu.oauthServerUrl,
      iat: now,
      exp: now + 60,
    };
  }

  it('the OAuth token endpoint answers {access_token, expires_in, token_type: "Bearer"}', async function () {
    const assertion = jwt.encodeSymmetric(assertionClaims(), secret(), jwt.SymmetricAlgorithm.HS256);
    const res = await rawRequest<{ access_token?: string; expires_in?: number; token_type?: string }>(
      `${site.emu.oauthServerUrl}/oauth2/token`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
      },
    );
    assertStatus(res, 200);
    assert.equal(typeof res.body.access_token, 'string');
    assert.equal(typeof res.body.expires_in, 'number');
    assert.equal(res.body.token_type, 'Bearer');
    assertStatus(await get(res.body.access_token, '/rest/api/user/current', 'Bearer'), 200);
  });

  it('the OAuth token endpoint refuses a bad assertion (signature, tnt, exp, aud, iss, sub)', async function () {
    const now = Math.floor(Date.now() / 1000);
    const base = assertionClaims(now);
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['wrong signature', base, 'wrong-secret-wrong-secret-wrong-secret'],
      ['wrong tnt', { ...base, tnt: 'https://elsewhere.atlassian.net/wiki' }, secret()],
      ['expired', { ...base, iat: now - 300, exp: now - 200 }, secret()],
      ['unknown user', { ...base, sub: 'urn:atlassian:connect:useraccountid:712020:ffffffff-ffff-4fff-8fff-ffffffffffff' }, secret()],
      ['exp more than 60 s ahead', { ...base, exp: now + 600 }, secret()],
      ['aud not the token server', { ...base, aud: 'https://example.invalid' }, secret()],
      ['unknown oauthClientId', { ...base, iss: 'urn:atlassian:connect:clientid:no-such-client' }, secret()],
      ['sub not a useraccountid urn', { ...base, sub: alice }, secret()],
    ];
    for (const [what, claims, key] of cases) {
      const assertion = jwt.encodeSymmetric(claims, key, jwt.SymmetricAlgorithm.HS256);
      const res = await rawRequest(`${site.emu.oauthServerUrl}/oauth2/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
      });
      assert.ok(res.status >= 400 && res.status < 500, `${what}: expected a 4xx, got ${res.status} ${res.text}`);
    }
  });

  it('an app without ACT_AS_USER cannot act as a user (ACE gets no token)', async function () {
    await assert.rejects(hostCall(noActAsUser.asUser(alice), 'get', '/rest/api/user/current'));
    // …while the same app as itself is fine.
    assertStatus(await noActAsUser.call('get', '/rest/api/user/current'), 200);
  });
});

describe('emulator conformance: context JWT (AP.context.getToken) verified by ACE', function () {
  let site: Site;
  let app: InstalledTestApp;

  withInstalledApp((started) => ({ site, app } = started));

  async function contextToken(accountId: string, context?: unknown): Promise<string> {
    const body = await site.control.ok(
      site.control.post<{ token: string }>('context-token', { appKey: app.key, accountId, ...(context ? { context } : {}) }),
      'context-token',
    );
    assert.equal(typeof body.token, 'string');
    return body.token;
  }

  it('has qsh "context-qsh", sub = accountId, iss = clientKey, and passes ACE checkValidToken()', async function () {
    const token = await contextToken(alice);
    const res = await rawRequest<{ clientKey: string; userAccountId: string; claims: Record<string, unknown> }>(
      `${app.baseUrl}/context-check`,
      {
        headers: { Authorization: `JWT ${token}` },
      },
    );
    assertStatus(res, 200);
    assert.equal(res.body.clientKey, app.clientKey);
    assert.equal(res.body.userAccountId, alice);
    assert.equal(res.body.claims.qsh, 'context-qsh');
    assert.equal(res.body.claims.sub, alice);
    assert.equal(res.body.claims.iss, app.clientKey);
    assert.equal(typeof res.body.claims.exp, 'number');
    assert.equal(typeof res.body.claims.iat, 'number');
    assert.ok((res.body.claims.exp as number) > (res.body.claims.iat as number));
    assert.ok((res.body.claims.exp as number) - (res.body.claims.iat as number) <= 15 * 60, 'about 15 minutes or less');
  });

  it('is signed with the install sharedSecret (HS256)', async function () {
    const token = await contextToken(SEEDED_USERS.bob.accountId);
    assert.equal(jwt.getAlgorithm(token), 'HS256');
    const claims = jwt.decodeSymmetric(token, app.installInfo.sharedSecret, jwt.SymmetricAlgorithm.HS256) as Record<string, unknown>;
    assert.equal(claims.sub, SEEDED_USERS.bob.accountId);
  });

  it('is refused by ACE authenticate() without skipping qsh (it is not a page-load token)', async function () {
    const token = await contextToken(alice);
    const res = await rawRequest(`${app.baseUrl}/strict-check`, { headers: { Authorization: `JWT ${token}` } });
    assertStatus(res, 401);
  });

  it('carries the given context', async function () {
    const token = await contextToken(alice, { confluence: { content: { id: '65601' }, space: { key: 'ENG' } } });
    const claims = jwt.decodeSymmetric(token, app.installInfo.sharedSecret, jwt.SymmetricAlgorithm.HS256) as {
      context?: { confluence?: { content?: { id?: string } } };
    };
    assert.equal(claims.context?.confluence?.content?.id, '65601');
  });

  it('is refused for an unknown app or an unknown user', async function () {
    const unknownApp = await site.control.post('context-token', { appKey: 'no-such-app', accountId: alice });
    assert.ok(unknownApp.status >= 400 && unknownApp.status < 500, `unknown app: ${unknownApp.status}`);
    const unknownUser = await site.control.post('context-token', {
      appKey: app.key,
      accountId: '712020:ffffffff-ffff-4fff-8fff-ffffffffffff',
    });
    assert.ok(unknownUser.status >= 400 && unknownUser.status < 500, `unknown user: ${unknownUser.status}`);
  });

  it('a context token is not accepted by the site as app authentication', async function () {
    const token = await contextToken(alice);
    const res = await rawRequest(`${site.emu.siteUrl}${userPropertyPath(alice)}`, { headers: { Authorization: `JWT ${token}` } });
    assertError(res, 401);
  });
});
