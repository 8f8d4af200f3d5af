// Conformance: installing an unmodified ACE app through the UPM REST API, the RS256-signed
// lifecycle (docs/platform-facts.md §3, §10), reinstall and uninstall, invalid descriptors.
import assert from 'node:assert/strict';
import { Op } from 'sequelize';
import { SEEDED_USERS } from '../../emulator';
import {
  type Descriptor,
  INSTALL_PAYLOAD_FIELDS,
  qshOf,
  rawRequest,
  serveDescriptor,
  signAppJwt,
  upmInstall,
} from '../support/ace-test-app';
import {
  type InstalledTestApp,
  type Site,
  assertError,
  assertStatus,
  startSite,
  uniqueKey,
  userPropertyPath,
  withInstalledApp,
} from './harness';

interface EmulatorApp {
  key: string;
  clientKey: string;
  baseUrl: string;
  status: string;
}

function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

describe('emulator conformance: install through ACE (UPM flow, signed install)', function () {
  let site: Site;
  let app: InstalledTestApp;

  withInstalledApp((started) => ({ site, app } = started));

  it('sends `installed` signed RS256 with a kid, and ACE verifies it against CONNECT_KEYS_CDN_URL', async function () {
    const installed = app.lifecycle.filter((c) => c.path === '/installed');
    assert.equal(installed.length, 1, 'exactly one installed hook');
    const hook = installed[0];
    assert.equal(hook.alg, 'RS256');
    assert.ok(hook.kid, 'the JWT header has a kid');
    assert.equal(hook.status, 204, 'ACE answered 204, i.e. its RS256 verification passed');
    const claims = hook.claims ?? {};
    assert.equal(claims.iss, app.clientKey, 'iss is the clientKey');
    assert.deepEqual(claims.aud, [app.baseUrl], 'aud is [the app baseUrl]');
    assert.equal(claims.qsh, qshOf('POST', '/installed'), 'qsh of POST /installed');
    assert.equal(typeof claims.exp, 'number');
    assert.equal(typeof claims.iat, 'number');

    const key = await rawRequest(`${site.emu.keysUrl}/${hook.kid}`);
    assertStatus(key, 200);
    assert.match(key.text, /-----BEGIN PUBLIC KEY-----/);
  });

  it('the install payload has every documented field, and ACE saved it as clientInfo', async function () {
    const hook = app.lifecycle.find((c) => c.path === '/installed');
    assert.ok(hook);
    for (const field of INSTALL_PAYLOAD_FIELDS) {
      assert.ok(field in hook.body, `payload lacks ${field}`);
    }
    assert.equal(hook.body.key, app.key);
    assert.equal(hook.body.baseUrl, site.emu.siteUrl);
    assert.match(String(hook.body.baseUrl), /\/wiki$/);
    assert.equal(hook.body.productType, 'confluence');
    assert.equal(hook.body.eventType, 'installed');

    const info = await app.addon.settings.get<Record<string, unknown>>('clientInfo', app.clientKey);
    assert.ok(info, 'clientInfo saved under the clientKey');
    assert.equal(info.clientKey, app.clientKey);
    assert.equal(info.baseUrl, site.emu.siteUrl);
    assert.equal(typeof info.sharedSecret, 'string');
    assert.ok(String(info.sharedSecret).length >= 32, 'sharedSecret is long enough for HS256');
    assert.equal(typeof info.oauthClientId, 'string');
  });

  it('GET /_emulator/apps lists the app as installed', async function () {
    const apps = await site.control.ok(site.control.get<EmulatorApp[]>('apps'), 'GET apps');
    const entry = apps.find((a) => a.key === app.key);
    assert.ok(entry, 'app listed');
    assert.equal(entry.clientKey, app.clientKey);
    assert.equal(entry.baseUrl, app.baseUrl);
    assert.equal(entry.status, 'installed');
  });

  it('UPM lists the installed plugin to the admin and refuses other credentials with 401', async function () {
    const url = `${site.emu.siteUrl}/rest/plugins/1.0/`;
    const ok = await rawRequest<{ plugins?: { key: string }[] }>(url, {
      headers: { Authorization: basicAuth(site.emu.admin.username, site.emu.admin.password) },
    });
    assertStatus(ok, 200);
    assert.ok(ok.headers.get('upm-token'), 'upm-token header');
    assert.ok(
      ok.body.plugins?.some((p) => p.key === app.key),
      'plugin listed',
    );

    assertStatus(await rawRequest(url, { headers: { Authorization: basicAuth(site.emu.admin.username, 'wrong') } }), 401);
    assertStatus(await rawRequest(url), 401);
    const notAdmin = await rawRequest(`${url}?token=x`, {
      method: 'POST',
      headers: { Authorization: basicAuth('alice', 'alice'), 'Content-Type': 'application/vnd.atl.plugins.remote.install+json' },
      body: JSON.stringify({ pluginUri: app.descriptorUrl }),
    });
    assert.ok(notAdmin.status === 401 || notAdmin.status === 403, `install by a non-admin refused, got ${notAdmin.status}`);
  });

  it('REST calls signed by ACE as the app succeed after install', async function () {
    const res = await app.call('get', '/rest/api/user/current');
    assertStatus(res, 200);
  });

  it('a reinstall issues a new sharedSecret (same clientKey); the old secret gets 401', async function () {
    const before = await app.clientInfo();
    assert.ok(before);
    const path = userPropertyPath(SEEDED_USERS.alice.accountId);
    const oldToken = signAppJwt({ iss: app.key, secret: before.sharedSecret, method: 'GET', path, aud: [app.clientKey] });
    assertStatus(await rawRequest(`${site.emu.siteUrl}${path}`, { headers: { Authorization: `JWT ${oldToken}` } }), 200);

    assert.equal(await app.register(), true, 'reinstalled');
    const after = await app.clientInfo();
    assert.ok(after);
    assert.equal(after.clientKey, before.clientKey, 'clientKey is stable');
    assert.notEqual(after.sharedSecret, before.sharedSecret, 'a new sharedSecret');
    assert.equal(
      app.lifecycle.filter((c) => c.path === '/installed' && c.status === 204).length,
      2,
      'second signed installed hook verified',
    );

    const stale = await rawRequest(`${site.emu.siteUrl}${path}`, { headers: { Authorization: `JWT ${oldToken}` } });
    assertError(stale, 401);
    assertStatus(await app.call('get', path), 200);
  });

  it('after a reinstall, a Bearer token ACE cached for the earlier installation gets 401 (assumed: reinstall issues a new oauthClientId)', async function () {
    const alice = SEEDED_USERS.alice.accountId;
    assertStatus(await app.call('get', '/rest/api/user/current', { as: alice }), 200);
    assert.equal(await app.register(), true, 'reinstalled');
    // ACE caches access tokens in its store (`bearer:*` rows) until they expire, so it sends the old one.
    const stale = await app.call('get', '/rest/api/user/current', { as: alice });
    assertError(stale, 401, /earlier installation|not installed|token/i);
    // Forgetting ACE's cached tokens recovers: ACE asks the token endpoint again.
    const store = app.addon.schema.models.AddonSetting;
    await store.destroy({ where: { clientKey: app.clientKey, key: { [Op.like]: 'bearer:%' } } });
    assertStatus(await app.call('get', '/rest/api/user/current', { as: alice }), 200);
  });

  it('uninstall (addon.deregister → UPM DELETE) sends a signed `uninstalled`; REST calls then get 401', async function () {
    const alice = SEEDED_USERS.alice.accountId;
    assertStatus(await app.call('get', '/rest/api/user/current', { as: alice }), 200);
    assertStatus(await app.call('post', userPropertyPath(alice, 'kept'), { json: { value: { kept: true } } }), 201);
    await app.deregister();
    const hooks = app.lifecycle.filter((c) => c.path === '/uninstalled');
    assert.equal(hooks.length, 1, 'one uninstalled hook');
    assert.equal(hooks[0].alg, 'RS256');
    assert.ok(hooks[0].kid);
    assert.equal(hooks[0].status, 204, 'ACE authenticateInstall() accepted it');
    assert.equal(hooks[0].body.eventType, 'uninstalled');
    assert.equal(hooks[0].body.clientKey, app.clientKey);
    assert.equal(hooks[0].claims?.iss, app.clientKey);
    assert.equal(hooks[0].claims?.qsh, qshOf('POST', '/uninstalled'));

    const apps = await site.control.ok(site.control.get<EmulatorApp[]>('apps'), 'GET apps');
    const entry = apps.find((a) => a.key === app.key);
    assert.ok(!entry || entry.status !== 'installed', 'no longer installed');

    // ACE still holds the clientInfo and signs with the old secret: the site must refuse it.
    assertError(await app.call('get', userPropertyPath(alice)), 401);
    // …and the Bearer token ACE cached before the uninstall no longer acts as the user.
    assertError(await app.call('get', '/rest/api/user/current', { as: alice }), 401);
    // The iframe of an uninstalled app cannot call either.
    const ap = await site.control.post<{ status: number }>('ap-request', {
      appKey: app.key,
      accountId: alice,
      method: 'GET',
      path: '/rest/api/user/current',
    });
    assert.ok(ap.status >= 400 || ap.body.status === 401, `AP.request of an uninstalled app: ${ap.status} ${ap.text}`);
  });

  it('installing again after uninstall works and issues yet another sharedSecret', async function () {
    const before = await app.clientInfo();
    assert.ok(before);
    assert.equal(await app.register(), true);
    const after = await app.clientInfo();
    assert.ok(after);
    assert.notEqual(after.sharedSecret, before.sharedSecret);
    assertStatus(await app.call('get', '/rest/api/user/current'), 200);
    // Assumed by the emulator (docs/emulator.md): an app's data is kept across uninstall.
    const kept = await app.call<{ value: unknown }>('get', userPropertyPath(SEEDED_USERS.alice.accountId, 'kept'));
    assertStatus(kept, 200);
    assert.deepEqual(kept.body.value, { kept: true });
  });
});

describe('emulator conformance: invalid descriptors are refused with a clear message', function () {
  let site: Site;

  before(async function () {
    site = await startSite();
  });

  after(async function () {
    await site?.close();
  });

  function validDescriptor(key: string) {
    return (baseUrl: string): Descriptor => ({
      key,
      name: 'Descriptor check',
      description: 'descriptor validation',
      vendor: { name: 'Keepsake', url: 'https://example.invalid' },
      baseUrl,
      authentication: { type: 'jwt' },
      lifecycle: { installed: '/installed', uninstalled: '/uninstalled' },
      apiMigrations: { 'signed-install': true },
      scopes: ['READ'],
      modules: { generalPages: [{ key: 'ok-page', location: 'system.header/left', name: { value: 'Ok' }, url: '/page' }] },
    });
  }

  async function tryInstall(descriptor: (baseUrl: string) => unknown, installedStatus = 204) {
    const served = await serveDescriptor(descriptor, installedStatus);
    try {
      return await upmInstall(site.emu.registrationUrl, served.url);
    } finally {
      await served.close();
    }
  }

  async function assertRefused(key: string, mutate: (d: Descriptor) => void, pattern: RegExp) {
    const result = await tryInstall((baseUrl) => {
      const d = validDescriptor(key)(baseUrl);
      mutate(d);
      return d;
    });
    assert.equal(result.installed, false, 'must not install');
    assert.match(result.message, pattern, `message does not name the problem: ${result.message}`);
    const apps = await site.control.ok(site.control.get<EmulatorApp[]>('apps'), 'GET apps');
    assert.ok(!apps.some((a) => a.key === key && a.status === 'installed'), 'not listed as installed');
  }

  it('accepts the valid base descriptor (control case)', async function () {
    const result = await tryInstall(validDescriptor(uniqueKey('valid')));
    assert.equal(result.installed, true, result.message);
  });

  it('refuses a bad key', async function () {
    await assertRefused('bad key!', () => undefined, /key/i);
  });

  it('refuses a key longer than 64 characters', async function () {
    const key = `k${'x'.repeat(64)}`;
    await assertRefused(key, () => undefined, /key/i);
  });

  it('refuses a missing baseUrl', async function () {
    await assertRefused(uniqueKey('nobase'), (d) => delete d.baseUrl, /baseUrl/);
  });

  it('refuses a missing authentication', async function () {
    await assertRefused(uniqueKey('noauth'), (d) => delete d.authentication, /authentication/);
  });

  it('refuses a bad lifecycle URL', async function () {
    await assertRefused(uniqueKey('badlife'), (d) => (d.lifecycle = { installed: 42 }), /lifecycle|installed/i);
  });

  it('refuses a bad module key', async function () {
    await assertRefused(
      uniqueKey('badmod'),
      (d) => (d.modules = { generalPages: [{ key: 'bad key!', location: 'system.header/left', name: { value: 'x' }, url: '/p' }] }),
      /module|bad key!/i,
    );
  });

  it('refuses an unknown scope', async function () {
    await assertRefused(uniqueKey('badscope'), (d) => (d.scopes = ['READ', 'SUPERPOWERS']), /SUPERPOWERS|scope/i);
  });

  it('fails the install when the app answers its installed hook with an error, and says so', async function () {
    const key = uniqueKey('refuses');
    const result = await tryInstall(validDescriptor(key), 500);
    assert.equal(result.installed, false);
    assert.match(result.message, /installed|500/i);
    const apps = await site.control.ok(site.control.get<EmulatorApp[]>('apps'), 'GET apps');
    assert.ok(!apps.some((a) => a.key === key && a.status === 'installed'));
  });

  it('refuses a descriptor URL that does not answer', async function () {
    const served = await serveDescriptor(validDescriptor(uniqueKey('gone')));
    const url = served.url.replace('/atlassian-connect.json', '/nothing-here.json');
    try {
      const result = await upmInstall(site.emu.registrationUrl, url);
      assert.equal(result.installed, false);
      assert.ok(result.message.length > 0);
    } finally {
      await served.close();
    }
  });

  it('ACE register() reports the refusal (not registered, message in its log)', async function () {
    const app = await site.startApp({ scopes: ['READ', 'SUPERPOWERS'] });
    assert.equal(await app.register(), false);
    assert.equal(await app.clientInfo(), undefined);
    const warnings = app.logs
      .filter((l) => l.level === 'warn')
      .map((l) => l.text)
      .join('\n');
    assert.match(warnings, /Failed to register/);
    assert.match(warnings, /SUPERPOWERS|scope/i);
  });
});
