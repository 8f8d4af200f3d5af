// Several sites in one emulator (docs/emulator.md, "Several sites"): the control endpoints,
// and one Keepsake installed into three sites of one emulator process, which share nothing.
import assert from 'node:assert/strict';
import { decodeSymmetric, encodeSymmetric, SymmetricAlgorithm } from 'atlassian-jwt';
import { SEEDED_USERS, startEmulator, type RunningEmulator, type RunningSite } from '../../emulator';
import { clientFor, hostCall, registerOAuthServer, startAceTestApp, upmInstall, type AceTestApp } from '../support/ace-test-app';
import { APP_KEY, installIntoSite, request, startStack, storeKinds, type SiteInstall, type Stack } from '../support/keepsake-stack';
import type { PreferencesSummary } from '../../lib/preferences/preferences-summary';

const alice = SEEDED_USERS.alice.accountId;
const bob = SEEDED_USERS.bob.accountId;
const carol = SEEDED_USERS.carol.accountId;

interface SiteSummary {
  id: string;
  default: boolean;
  baseUrl: string;
  siteUrl: string;
  port: number;
  keysUrl: string;
  oauthServerUrl: string;
  controlUrl: string;
}
interface AppRecord {
  clientKey: string;
  sharedSecret: string;
  oauthClientId: string;
  baseUrl: string;
}
interface LogEntry {
  path: string;
  authKind: string;
  status: number;
}
interface ErrorBody {
  code?: string;
  message: string;
}

/** The pages a user bookmarked on a site, from everything Keepsake holds about them there. */
async function bookmarkIds(s: SiteInstall, accountId: string): Promise<string[]> {
  const exported = await s.api<{ preferences: { bookmarks: { contentId: string }[] } | null }>(accountId, 'GET', '/api/me/export');
  assert.equal(exported.status, 200, JSON.stringify(exported.body));
  return (exported.body.preferences?.bookmarks ?? []).map((b) => b.contentId);
}

const propertyKeysPath = (accountId: string) => `/rest/api/user/${encodeURIComponent(accountId)}/property?limit=25`;

describe('several sites in one emulator: the control API', () => {
  let emu: RunningEmulator;
  before(async () => {
    emu = await startEmulator({ port: 0 });
  });
  after(async () => emu?.close());

  const control = <T>(site: { baseUrl: string }, method: string, path: string, body?: unknown) =>
    request<T>(`${site.baseUrl}/_emulator${path}`, method, body);

  it('adds a site on its own port, seeded like the first, sharing the key server and the OAuth server', async () => {
    const created = await control<SiteSummary>(emu, 'POST', '/sites', { id: 'acme', settings: { asUserRestriction: true } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const acme = created.body;
    assert.equal(acme.id, 'acme');
    assert.equal(acme.default, false);
    assert.notEqual(acme.port, emu.port);
    assert.equal(acme.siteUrl, `http://localhost:${acme.port}/wiki`);
    assert.equal(acme.keysUrl, emu.keysUrl);
    assert.equal(acme.oauthServerUrl, emu.oauthServerUrl);

    const users = await control<{ accountId: string }[]>(acme, 'GET', '/users');
    assert.deepEqual(
      users.body.map((u) => u.accountId).sort(),
      Object.values(SEEDED_USERS)
        .map((u) => u.accountId)
        .sort(),
    );
    assert.deepEqual((await control<unknown[]>(acme, 'GET', '/apps')).body, []);
    // Its own settings: the first site keeps the process's.
    assert.equal((await control<{ asUserRestriction: boolean }>(acme, 'GET', '/settings')).body.asUserRestriction, true);
    assert.equal((await control<{ asUserRestriction: boolean }>(emu, 'GET', '/settings')).body.asUserRestriction, false);

    // Listed from any site's address, and by the programmatic API.
    for (const via of [emu, acme]) {
      const listed = await control<SiteSummary[]>(via, 'GET', '/sites');
      assert.deepEqual(
        listed.body.map((s) => s.id),
        ['default', 'acme'],
      );
    }
    assert.equal((await control<SiteSummary>(emu, 'GET', '/sites/acme')).body.port, acme.port);
    assert.equal(emu.site('acme')?.siteUrl, acme.siteUrl);
  });

  it('refuses a bad id, a taken id, a taken port and unknown fields with a 400 or 409 naming the problem', async () => {
    const bad = await control<ErrorBody>(emu, 'POST', '/sites', { id: 'Not A Label' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /DNS label/);
    const taken = await control<ErrorBody>(emu, 'POST', '/sites', { id: 'acme' });
    assert.equal(taken.status, 409);
    const portTaken = await control<ErrorBody>(emu, 'POST', '/sites', { port: emu.port });
    assert.equal(portTaken.status, 409);
    assert.match(portTaken.body.message, /in use/);
    const unknown = await control<ErrorBody>(emu, 'POST', '/sites', { id: 'x', region: 'eu' });
    assert.equal(unknown.status, 400);
    const badSetting = await control<ErrorBody>(emu, 'POST', '/sites', { settings: { contextTokenTtlSeconds: 0 } });
    assert.equal(badSetting.status, 400);
    assert.match(badSetting.body.message, /settings\.contextTokenTtlSeconds/);
  });

  it('keeps the request log, faults and reset to the site they were set on', async () => {
    const acme = emu.site('acme') as RunningSite;
    await Promise.all([control(acme, 'DELETE', '/requests'), control(emu, 'DELETE', '/requests')]);
    assert.equal((await request(`${acme.siteUrl}/rest/api/space`, 'GET')).status, 401);
    assert.deepEqual(
      (await control<{ path: string }[]>(acme, 'GET', '/requests')).body.map((e) => e.path),
      ['/wiki/rest/api/space'],
    );
    assert.deepEqual((await control<unknown[]>(emu, 'GET', '/requests')).body, []);

    await control(acme, 'POST', '/faults', { status: 503, count: 5 });
    assert.equal((await control<{ next: { status: number } | null }>(acme, 'GET', '/faults')).body.next?.status, 503);
    assert.equal((await control<{ next: unknown }>(emu, 'GET', '/faults')).body.next, null);
    await control(acme, 'DELETE', '/faults');

    await control(acme, 'POST', '/users', { displayName: 'Only on Acme' });
    assert.equal((await control(emu, 'POST', '/reset')).status, 204);
    assert.equal(
      (await control<unknown[]>(acme, 'GET', '/users')).body.length,
      Object.keys(SEEDED_USERS).length + 1,
      'reset of the first site leaves acme alone',
    );
    assert.equal((await control<unknown[]>(emu, 'GET', '/users')).body.length, Object.keys(SEEDED_USERS).length);
  });

  it('serves its own host pages, with a session cookie of its own (cookies ignore ports)', async () => {
    const acme = emu.site('acme') as RunningSite;
    const login = await fetch(`${acme.baseUrl}/_emulator/login?accountId=${encodeURIComponent(alice)}&next=/wiki/`, { redirect: 'manual' });
    assert.equal(login.status, 302);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    assert.match(cookie, /^emulator\.session\.acme=/);
    const home = await fetch(`${acme.siteUrl}/`, { headers: { cookie } });
    assert.equal(home.status, 200);
    assert.match(await home.text(), /Alice Anders/);
    const firstLogin = await fetch(`${emu.baseUrl}/_emulator/login?accountId=${encodeURIComponent(alice)}`, { redirect: 'manual' });
    assert.match(firstLogin.headers.get('set-cookie') ?? '', /^emulator\.session=/);
  });

  it('removes a site over HTTP (even through its own address) or in-process; the first site stays', async () => {
    const second = await emu.addSite();
    assert.match(second.id, /^site-\d+$/);
    const removed = await control(second, 'DELETE', `/sites/${second.id}`);
    assert.equal(removed.status, 204);
    await assert.rejects(fetch(`${second.siteUrl}/rest/api/space`), 'its port is closed');

    const acme = emu.site('acme') as RunningSite;
    await acme.close();
    await assert.rejects(fetch(`${acme.baseUrl}/_emulator/`));
    assert.deepEqual(
      (await control<SiteSummary[]>(emu, 'GET', '/sites')).body.map((s) => s.id),
      ['default'],
    );

    assert.equal((await control(emu, 'DELETE', '/sites/acme')).status, 404);
    const first = await control<ErrorBody>(emu, 'DELETE', '/sites/default');
    assert.equal(first.status, 409);
    assert.equal((await control(emu, 'GET', '/')).status, 200);
  });
});

describe('several sites in one emulator: one unmodified ACE app installed into two sites through UPM', () => {
  let emu: RunningEmulator;
  let beta: RunningSite;
  let app: AceTestApp;
  const unregister: (() => void)[] = [];
  let previousKeysUrl: string | undefined;

  before(async () => {
    emu = await startEmulator({ port: 0 });
    beta = await emu.addSite({ id: 'beta' });
    previousKeysUrl = process.env.CONNECT_KEYS_CDN_URL;
    process.env.CONNECT_KEYS_CDN_URL = emu.keysUrl;
    for (const site of [emu, beta]) unregister.push(registerOAuthServer(site.siteUrl, site.oauthServerUrl));
    // One host in ACE's config: ACE's register() installs into all its hosts at once, and its
    // sqlite store fails two concurrent installed callbacks ("cannot start a transaction within
    // a transaction"); the second site installs it through UPM, as its admin would.
    app = await startAceTestApp({ key: `multi-site-${process.pid}`, hosts: [emu.registrationUrl] });
  });
  after(async () => {
    await app?.close();
    await emu?.close();
    for (const undo of unregister) undo();
    if (previousKeysUrl === undefined) delete process.env.CONNECT_KEYS_CDN_URL;
    else process.env.CONNECT_KEYS_CDN_URL = previousKeysUrl;
  });

  it('installs into both (signed installs checked against the one key server), a tenant each, and acts as a user on each through the one OAuth server', async () => {
    assert.equal(await app.register(), true, app.logs.map((l) => l.text).join('\n'));
    const intoBeta = await upmInstall(beta.registrationUrl, app.descriptorUrl);
    assert.equal(intoBeta.installed, true, intoBeta.message);
    const tenants = await app.addon.settings.getAllClientInfos();
    assert.deepEqual(tenants.map((t) => t.baseUrl).sort(), [emu.siteUrl, beta.siteUrl].sort());
    assert.equal(new Set(tenants.map((t) => t.clientKey)).size, 2);
    const onBeta = tenants.find((t) => t.baseUrl === beta.siteUrl);
    assert.ok(onBeta);

    const property = `/rest/api/user/${encodeURIComponent(bob)}/property/where`;
    const created = await hostCall(clientFor(app.addon, onBeta.clientKey, bob), 'post', property, { json: { value: { site: 'beta' } } });
    assert.equal(created.status, 201, created.text);
    const betaLog = await request<LogEntry[]>(`${beta.baseUrl}/_emulator/requests?pathPrefix=/oauth2`, 'GET');
    assert.deepEqual(
      betaLog.body.map((e) => e.status),
      [200],
      'the token request is logged on beta',
    );

    const onFirst = tenants.find((t) => t.baseUrl === emu.siteUrl);
    assert.ok(onFirst);
    assert.equal(
      (await hostCall(clientFor(app.addon, onFirst.clientKey), 'get', property)).status,
      404,
      'nothing of beta on the first site',
    );
    assert.equal((await hostCall(clientFor(app.addon, onBeta.clientKey), 'get', property)).status, 200);
  });
});

for (const store of storeKinds()) {
  describe(`several sites in one emulator: one Keepsake, three sites that share nothing (${store})`, () => {
    let emulator: RunningEmulator;
    let stack: Stack;
    /** Keepsake on the first site (installed by startStack), on beta (added in-process) and gamma (added over HTTP). */
    let sites: Record<'alpha' | 'beta' | 'gamma', SiteInstall>;

    before(async () => {
      emulator = await startEmulator({ port: 0 });
      stack = await startStack({ store, emulator });
      const beta = await emulator.addSite({ id: 'beta' });
      const added = await request<SiteSummary>(`${emulator.baseUrl}/_emulator/sites`, 'POST', { id: 'gamma' });
      assert.equal(added.status, 201, JSON.stringify(added.body));
      const gamma = emulator.site('gamma') as RunningSite;
      const alpha: SiteInstall = {
        site: emulator,
        clientKey: stack.clientKey,
        api: stack.api,
        control: stack.control,
        contextToken: stack.contextToken,
        apRequest: stack.apRequest,
      };
      sites = { alpha, beta: await installIntoSite(stack.keepsake, beta), gamma: await installIntoSite(stack.keepsake, gamma) };
    });
    after(async () => {
      await stack?.close();
      await emulator?.close();
    });

    const logOf = async (s: SiteInstall) => (await s.control<LogEntry[]>('GET', '/requests')).body;
    const appRecord = async (s: SiteInstall) => (await s.control<AppRecord>('GET', `/apps/${APP_KEY}`)).body;

    it('gives each site its own clientKey, shared secret and OAuth client, for the same Keepsake', async () => {
      const records = await Promise.all(Object.values(sites).map(appRecord));
      assert.equal(new Set(records.map((r) => r.clientKey)).size, 3);
      assert.equal(new Set(records.map((r) => r.sharedSecret)).size, 3);
      assert.equal(new Set(records.map((r) => r.oauthClientId)).size, 3);
      assert.deepEqual(new Set(records.map((r) => r.baseUrl)), new Set([stack.keepsake.url]));
      assert.deepEqual(
        records.map((r) => r.clientKey),
        Object.values(sites).map((s) => s.clientKey),
      );
      assert.equal(new Set(Object.values(sites).map((s) => s.site.siteUrl)).size, 3);
    });

    it('keeps what users of each site save to that site', async () => {
      const pageOf = { alpha: '65601', beta: '65602', gamma: '65603' } as const;
      const modeOf = { alpha: 'compact', beta: 'focus', gamma: 'comfortable' } as const;
      for (const name of ['alpha', 'beta', 'gamma'] as const) {
        const s = sites[name];
        // The same Atlassian account (alice) is a user of every site.
        assert.equal((await s.api(alice, 'PATCH', '/api/preferences', { viewMode: modeOf[name] })).status, 200);
        const bookmarked = await s.api(alice, 'POST', '/api/bookmarks', { contentId: pageOf[name] });
        assert.equal(bookmarked.status, 200, JSON.stringify(bookmarked.body));
      }
      assert.equal((await sites.alpha.api(bob, 'PATCH', '/api/preferences', { viewMode: 'focus' })).status, 200);

      for (const name of ['alpha', 'beta', 'gamma'] as const) {
        const view = await sites[name].api<PreferencesSummary>(alice, 'GET', '/api/preferences');
        assert.equal(view.body.viewMode, modeOf[name], name);
        assert.deepEqual(await bookmarkIds(sites[name], alice), [pageOf[name]], name);
      }
      assert.equal(
        (await sites.beta.api<PreferencesSummary>(bob, 'GET', '/api/preferences')).body.viewMode,
        'comfortable',
        'bob saved on alpha only',
      );
    });

    it("refuses a context token of site alpha for site beta's data", async () => {
      const alphaSecret = (await appRecord(sites.alpha)).sharedSecret;
      const alphaToken = await sites.alpha.contextToken(alice);
      const claims = decodeSymmetric(alphaToken, alphaSecret, SymmetricAlgorithm.HS256) as Record<string, unknown>;
      assert.equal(claims.iss, sites.alpha.clientKey);
      // Alpha's token made out to beta's tenant: signed with alpha's secret, not beta's.
      const forged = encodeSymmetric({ ...claims, iss: sites.beta.clientKey }, alphaSecret, SymmetricAlgorithm.HS256);
      const refused = await request<ErrorBody>(`${stack.keepsake.url}/api/preferences`, 'GET', undefined, {
        Authorization: `JWT ${forged}`,
      });
      assert.equal(refused.status, 401);
      assert.equal(refused.body.code, 'UNAUTHENTICATED');
      // Alpha's token as issued reaches alpha's data only.
      const own = await request<PreferencesSummary>(`${stack.keepsake.url}/api/preferences`, 'GET', undefined, {
        Authorization: `JWT ${alphaToken}`,
      });
      assert.equal(own.body.viewMode, 'compact');

      // The emulator too: beta's REST API refuses a JWT signed with alpha's secret.
      const asAlpha = encodeSymmetric(
        { iss: APP_KEY, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 60, qsh: 'context-qsh' },
        alphaSecret,
        SymmetricAlgorithm.HS256,
      );
      const emulatorRefused = await request(`${sites.beta.site.siteUrl}/rest/api/space`, 'GET', undefined, {
        Authorization: `JWT ${asAlpha}`,
      });
      assert.equal(emulatorRefused.status, 401);
    });

    it('shows properties written for a user on alpha nowhere on beta or gamma (through each site’s own REST API)', async () => {
      const written = await sites.alpha.apRequest(carol, 'POST', `/rest/api/user/${encodeURIComponent(carol)}/property/probe`, {
        value: { only: 'alpha' },
      });
      assert.equal(written.status, 201);
      const keysOn = async (s: SiteInstall, accountId: string) =>
        (await s.apRequest<{ results: { key: string }[] }>(accountId, 'GET', propertyKeysPath(accountId))).json.results.map((r) => r.key);

      assert.deepEqual(await keysOn(sites.alpha, carol), ['probe']);
      const bobOnAlpha = await keysOn(sites.alpha, bob);
      assert.ok(bobOnAlpha.length > 0, 'Keepsake stored bob’s preferences on alpha');
      for (const name of ['beta', 'gamma'] as const) {
        assert.deepEqual(await keysOn(sites[name], carol), [], name);
        assert.deepEqual(await keysOn(sites[name], bob), [], name);
        const probe = await sites[name].apRequest(carol, 'GET', `/rest/api/user/${encodeURIComponent(carol)}/property/probe`);
        assert.equal(probe.status, 404, name);
      }
      // Alice's records have the same keys on every site, but each site holds its own.
      const main = async (s: SiteInstall) =>
        (
          await s.apRequest<{ id: string; value: unknown }>(
            alice,
            'GET',
            `/rest/api/user/${encodeURIComponent(alice)}/property/keepsake-main`,
          )
        ).json;
      const [a, b, c] = await Promise.all([main(sites.alpha), main(sites.beta), main(sites.gamma)]);
      assert.notDeepEqual(a.value, b.value);
      assert.notDeepEqual(b.value, c.value);
      assert.notDeepEqual(a.value, c.value);
    });

    it('applies faults only on the site they were set on', async () => {
      await sites.gamma.control('POST', '/faults', { userPropertiesOff: true });
      try {
        assert.equal((await sites.gamma.apRequest(alice, 'GET', propertyKeysPath(alice))).status, 404);
        for (const name of ['alpha', 'beta'] as const)
          assert.equal((await sites[name].apRequest(alice, 'GET', propertyKeysPath(alice))).status, 200, name);
      } finally {
        await sites.gamma.control('DELETE', '/faults');
      }
    });

    it('logs each site’s calls in its own request log', async () => {
      await Promise.all(Object.values(sites).map((s) => s.control('DELETE', '/requests')));
      assert.equal((await sites.gamma.api(carol, 'PATCH', '/api/preferences', { viewMode: 'focus' })).status, 200);
      const gammaLog = await logOf(sites.gamma);
      // The log keeps the path as sent; Keepsake percent-encodes the account ID's colon.
      const carolsProperties = `/wiki/rest/api/user/${carol}/property`;
      assert.ok(
        gammaLog.some((e) => decodeURIComponent(e.path).startsWith(carolsProperties) && e.authKind === 'jwt'),
        JSON.stringify(gammaLog),
      );
      assert.deepEqual(await logOf(sites.alpha), []);
      assert.deepEqual(await logOf(sites.beta), []);
    });

    it('has one OAuth 2.0 server for every site: the assertion’s tnt names the site, whose log records the call', async () => {
      await Promise.all(Object.values(sites).map((s) => s.control('DELETE', '/requests')));
      const gammaApp = await appRecord(sites.gamma);
      const assertion = (tnt: string) => {
        const now = Math.floor(Date.now() / 1000);
        const claims = {
          iss: `urn:atlassian:connect:clientid:${gammaApp.oauthClientId}`,
          sub: `urn:atlassian:connect:useraccountid:${carol}`,
          tnt,
          aud: emulator.oauthServerUrl,
          iat: now,
          exp: now + 30,
        };
        return new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
          assertion: encodeSymmetric(claims, gammaApp.sharedSecret, SymmetricAlgorithm.HS256),
        });
      };
      const tokenUrl = `${emulator.oauthServerUrl}/oauth2/token`;
      const granted = await fetch(tokenUrl, { method: 'POST', body: assertion(sites.gamma.site.siteUrl) });
      assert.equal(granted.status, 200);
      const { access_token: token } = (await granted.json()) as { access_token: string };
      const asCarol = (site: RunningSite) =>
        request(`${site.siteUrl}/rest/api/user/current`, 'GET', undefined, { Authorization: `Bearer ${token}` });
      assert.equal((await asCarol(sites.gamma.site)).status, 200);
      assert.equal((await asCarol(sites.alpha.site)).status, 401, 'a token of gamma is nothing on alpha');

      const wrongSite = await fetch(tokenUrl, { method: 'POST', body: assertion(sites.alpha.site.siteUrl) });
      assert.equal(wrongSite.status, 400);
      assert.match(((await wrongSite.json()) as { message: string }).message, /tnt/);

      const tokenCalls = (log: LogEntry[]) => log.filter((e) => e.path === '/oauth2/token').map((e) => e.status);
      assert.deepEqual(tokenCalls(await logOf(sites.gamma)), [200, 400]);
      assert.deepEqual(tokenCalls(await logOf(sites.alpha)), []);
    });

    it('leaves the other sites working when Keepsake is uninstalled from one, and when a site is removed', async () => {
      const betaToken = await sites.beta.contextToken(alice);
      assert.equal((await sites.beta.control('DELETE', `/apps/${APP_KEY}`)).status, 204);
      const afterUninstall = await request<ErrorBody>(`${stack.keepsake.url}/api/preferences`, 'GET', undefined, {
        Authorization: `JWT ${betaToken}`,
      });
      assert.equal(afterUninstall.status, 401);
      assert.match(afterUninstall.body.code ?? '', /UNAUTHENTICATED|SITE_NOT_INSTALLED/);

      for (const name of ['alpha', 'gamma'] as const) {
        const saved = await sites[name].api(alice, 'POST', '/api/bookmarks', { contentId: '65604' });
        assert.equal(saved.status, 200, `${name}: ${JSON.stringify(saved.body)}`);
        assert.ok((await bookmarkIds(sites[name], alice)).includes('65604'), name);
      }

      assert.equal((await request(`${emulator.baseUrl}/_emulator/sites/beta`, 'DELETE')).status, 204);
      for (const name of ['alpha', 'gamma'] as const) {
        assert.equal((await sites[name].api(alice, 'GET', '/api/preferences')).status, 200, name);
        assert.equal((await bookmarkIds(sites[name], alice)).length, 2, name);
      }
    });
  });
}
