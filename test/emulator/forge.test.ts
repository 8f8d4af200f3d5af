// Conformance: installing the Forge way (Connect on Forge, docs/platform-facts.md §6 (Connect on Forge, Forge Remote)).
// A manifest goes to POST /_emulator/forge/installations; the remote is a small receiver in
// this file that records what Confluence sends it, and, for the end-to-end case, an unmodified
// ACE app whose own signed-install check must accept the Forge install. Signatures are checked
// with the emulator's published keys: the install key from /connect-keys/<kid>, FITs against
// the JWKS at /_emulator/forge/jwks with `jose` (what ACE's authenticateForge uses).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { type JWTPayload, type JSONWebKeySet, createLocalJWKSet, decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';
import { stringify } from 'yaml';
import { SEEDED_USERS } from '../../emulator';
import { INSTALL_PAYLOAD_FIELDS, hostCall, qshOf, rawRequest, signAppJwt, upmInstall, type RawResponse } from '../support/ace-test-app';
import { type Site, appPropertyPath, assertError, assertStatus, startSite, uniqueKey, userPropertyPath } from './harness';

const alice = SEEDED_USERS.alice.accountId;
const bob = SEEDED_USERS.bob.accountId;

// ---------------------------------------------------------------------------------------------
// A remote that records every call and answers what the test tells it to.

interface ReceivedCall {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

interface Receiver {
  baseUrl: string;
  calls: ReceivedCall[];
  /** Statuses to answer on `path`, first the first; afterwards the default. */
  script(path: string, statuses: number[]): void;
  callsTo(path: string): ReceivedCall[];
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const app = express();
  app.use(express.json());
  const calls: ReceivedCall[] = [];
  const scripted = new Map<string, number[]>();
  app.post('*', (req, res) => {
    calls.push({ path: req.path, headers: req.headers, body: (req.body ?? {}) as Record<string, unknown> });
    const status = scripted.get(req.path)?.shift() ?? (req.path.startsWith('/forge/') ? 200 : 204);
    if (status === 204) res.status(204).end();
    else res.status(status).json({ answeredBy: 'receiver', path: req.path, status });
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, resolve));
  const baseUrl = `http://localhost:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    calls,
    script: (path, statuses) => scripted.set(path, [...statuses]),
    callsTo: (path) => calls.filter((c) => c.path === path),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// Manifests.

interface ManifestOptions {
  key: string;
  baseUrl: string;
  appUuid?: string;
  scopes?: string[];
  panelName?: string;
  extraGeneralPage?: boolean;
}

const DEFAULT_SCOPES = [
  'read:connect-confluence',
  'write:connect-confluence',
  'act-as-user:connect-confluence',
  'read:user.property:confluence',
  'write:user.property:confluence',
  'read:app-data:confluence',
  'write:app-data:confluence',
  'read:confluence-user',
  'read:app-system-token',
  'read:app-user-token',
];

let appSeq = 0;
function newAppUuid(): string {
  appSeq += 1;
  return `00000000-0000-4000-8000-${String(process.pid % 100000).padStart(6, '0')}${String(appSeq).padStart(6, '0')}`;
}

function manifestObject(o: ManifestOptions): Record<string, unknown> {
  const generalPages: unknown[] = [{ key: 'test-page', name: { value: 'Test page' }, url: '/page' }];
  if (o.extraGeneralPage) generalPages.push({ key: 'second-page', name: { value: 'Second page' }, url: '/second' });
  return {
    app: {
      id: `ari:cloud:ecosystem::app/${o.appUuid ?? newAppUuid()}`,
      runtime: { name: 'nodejs22.x' },
      connect: { key: o.key, remote: 'connect', authentication: 'jwt' },
    },
    remotes: [{ key: 'connect', baseUrl: o.baseUrl, operations: ['storage', 'compute'], storage: { inScopeEUD: true } }],
    permissions: { scopes: o.scopes ?? DEFAULT_SCOPES },
    connectModules: {
      'confluence:lifecycle': [
        { key: 'lifecycle-events', installed: '/installed', uninstalled: '/uninstalled', enabled: '/enabled', disabled: '/disabled' },
      ],
      'confluence:webPanels': [
        { key: 'test-panel', location: 'atl.general', name: { value: o.panelName ?? 'Test panel' }, url: '/panel?pageId={page.id}' },
      ],
      'confluence:generalPages': generalPages,
    },
    modules: {
      endpoint: [
        {
          key: 'remote-ui',
          remote: 'connect',
          route: { path: '/forge/ui' },
          auth: { appSystemToken: { enabled: true }, appUserToken: { enabled: true } },
        },
        { key: 'remote-jobs', remote: 'connect', route: { path: '/forge/jobs' }, auth: { appSystemToken: { enabled: true } } },
      ],
      scheduledTrigger: [{ key: 'nightly', endpoint: 'remote-jobs', interval: 'day' }],
    },
  };
}

function manifestYaml(o: ManifestOptions): string {
  return stringify(manifestObject(o));
}

interface Installation {
  installationId: string;
  appId: string;
  appKey: string;
  appVersion: string;
  update?: string;
}

interface EmulatorAppEntry {
  key: string;
  clientKey: string;
  status: string;
  installedVia: string;
  installationId: string | null;
}

const INSTALLATION_ARI = /^ari:cloud:ecosystem::installation\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// ---------------------------------------------------------------------------------------------

describe('emulator conformance: Forge installs (Connect on Forge)', function () {
  let site: Site;
  let remote: Receiver;
  let jwks: ReturnType<typeof createLocalJWKSet>;

  before(async function () {
    site = await startSite();
    remote = await startReceiver();
    const keys = await site.control.ok(site.control.get<JSONWebKeySet>('forge/jwks'), 'GET forge/jwks');
    jwks = createLocalJWKSet(keys);
  });

  after(async function () {
    await remote?.close();
    await site?.close();
  });

  function install(manifest: string, extra: Record<string, unknown> = {}): Promise<RawResponse<Installation>> {
    return site.control.post<Installation>('forge/installations', { manifest, ...extra });
  }

  async function installFresh(o: Partial<ManifestOptions> = {}): Promise<Installation & { options: ManifestOptions }> {
    const options: ManifestOptions = { key: uniqueKey('forge'), baseUrl: remote.baseUrl, appUuid: newAppUuid(), ...o };
    const res = await install(manifestYaml(options));
    assertStatus(res, 201);
    return { ...res.body, options };
  }

  /** Verifies a signed lifecycle call with the emulator's install key, as ACE does. */
  async function verifyLifecycleJwt(call: ReceivedCall, path: string): Promise<JWTPayload> {
    const auth = String(call.headers.authorization ?? '');
    assert.match(auth, /^JWT /, 'the lifecycle call carries Authorization: JWT');
    const token = auth.slice(4);
    const header = decodeProtectedHeader(token);
    assert.equal(header.alg, 'RS256');
    assert.ok(header.kid, 'the JWT header has a kid');
    const pem = await rawRequest(`${site.emu.keysUrl}/${header.kid}`);
    assertStatus(pem, 200);
    const { payload } = await jwtVerify(token, await importSPKI(pem.text, 'RS256'), { audience: remote.baseUrl });
    assert.equal(payload.qsh, qshOf('POST', path), `qsh of POST ${path}`);
    return payload;
  }

  async function fit(appKey: string, extra: Record<string, unknown> = {}): Promise<{ token: string; headers: Record<string, string> }> {
    return site.control.ok(
      site.control.post<{ token: string; headers: Record<string, string> }>('forge/fit', { appKey, ...extra }),
      'POST forge/fit',
    );
  }

  async function verifyFit(token: string, appId: string): Promise<JWTPayload & Record<string, unknown>> {
    const { payload } = await jwtVerify(token, jwks, { issuer: 'forge/invocation-token', audience: appId });
    return payload as JWTPayload & Record<string, unknown>;
  }

  async function apiBaseUrlOf(appKey: string, appId: string): Promise<string> {
    const claims = await verifyFit((await fit(appKey)).token, appId);
    return String((claims.app as Record<string, unknown>).apiBaseUrl);
  }

  function bearer(url: string, token: string, init: { method?: string; body?: unknown } = {}): Promise<RawResponse> {
    return rawRequest(url, {
      method: init.method ?? 'GET',
      headers: { Authorization: `Bearer ${token}`, ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  }

  describe('install', function () {
    let installed: Installation & { options: ManifestOptions };
    let installedCall: ReceivedCall;

    before(async function () {
      installed = await installFresh();
      const calls = remote.calls.filter((c) => c.path === '/installed' && c.body.key === installed.appKey);
      assert.equal(calls.length, 1, 'exactly one installed call');
      installedCall = calls[0];
    });

    it('answers 201 {installationId, appId, appKey}: the installation id is an installation ARI', function () {
      assert.match(installed.installationId, INSTALLATION_ARI);
      assert.equal(installed.appId, `ari:cloud:ecosystem::app/${installed.options.appUuid}`);
      assert.equal(installed.appKey, installed.options.key);
      assert.equal(installed.appVersion, '1.0.0');
    });

    it('POSTs the signed `installed` to the remote: RS256 with a kid, verified with the install key, installationId in the payload', async function () {
      const claims = await verifyLifecycleJwt(installedCall, '/installed');
      const body = installedCall.body;
      assert.equal(claims.iss, body.clientKey, 'iss is the clientKey');
      assert.deepEqual(claims.aud, [remote.baseUrl], 'aud is [the remote baseUrl]');
      for (const field of INSTALL_PAYLOAD_FIELDS) {
        assert.ok(field in body, `payload lacks ${field}`);
      }
      assert.equal(body.eventType, 'installed');
      assert.equal(body.installationId, installed.installationId);
      assert.equal(body.key, installed.appKey);
      assert.equal(body.baseUrl, site.emu.siteUrl);
    });

    it('never sends `enabled` (nor `disabled`), though connectModules declares them', function () {
      assert.deepEqual(
        remote.callsTo('/enabled').filter((c) => c.body.key === installed.appKey),
        [],
      );
      assert.deepEqual(
        remote.callsTo('/disabled').filter((c) => c.body.key === installed.appKey),
        [],
      );
    });

    it('the installed sharedSecret authenticates Connect JWT calls as the app', async function () {
      const secret = String(installedCall.body.sharedSecret);
      const path = '/rest/api/user/current';
      const res = await rawRequest<{ accountType?: string }>(`${site.emu.siteUrl}${path}`, {
        headers: { Authorization: `JWT ${signAppJwt({ iss: installed.appKey, secret, method: 'GET', path })}` },
      });
      assertStatus(res, 200);
      assert.equal(res.body.accountType, 'app');
    });

    it('GET /_emulator/apps lists it with installedVia "forge" and its installationId', async function () {
      const apps = await site.control.ok(site.control.get<EmulatorAppEntry[]>('apps'), 'GET apps');
      const entry = apps.find((a) => a.key === installed.appKey);
      assert.ok(entry);
      assert.equal(entry.status, 'installed');
      assert.equal(entry.installedVia, 'forge');
      assert.equal(entry.installationId, installed.installationId);
      assert.equal(entry.clientKey, installedCall.body.clientKey);
    });

    it('registers the connectModules: the host pages know its general page and web panel', async function () {
      const page = await site.control.get<{ url: string }>(
        `iframe-url?appKey=${installed.appKey}&moduleKey=test-page&accountId=${encodeURIComponent(alice)}`,
      );
      assertStatus(page, 200);
      assert.ok(page.body.url.startsWith(`${remote.baseUrl}/page?`), page.body.url);
      const panel = await site.control.get<{ url: string }>(
        `iframe-url?appKey=${installed.appKey}&moduleKey=test-panel&accountId=${encodeURIComponent(alice)}&pageId=65601`,
      );
      assertStatus(panel, 200);
      assert.ok(panel.body.url.includes('pageId=65601'), panel.body.url);
    });
  });

  describe('updates', function () {
    it('a minor version (a module changed) is applied without a new `installed`; the installation id stays', async function () {
      const first = await installFresh();
      const before = remote.callsTo('/installed').filter((c) => c.body.key === first.appKey).length;
      const res = await install(manifestYaml({ ...first.options, panelName: 'Renamed panel', extraGeneralPage: true }));
      assertStatus(res, 200);
      assert.equal(res.body.update, 'minor');
      assert.equal(res.body.installationId, first.installationId);
      assert.equal(res.body.appVersion, '1.1.0');
      assert.equal(remote.callsTo('/installed').filter((c) => c.body.key === first.appKey).length, before, 'no new installed call');
      const added = await site.control.get(
        `iframe-url?appKey=${first.appKey}&moduleKey=second-page&accountId=${encodeURIComponent(alice)}`,
      );
      assertStatus(added, 200);
    });

    it('a major version (a scope added) waits for an upgrade (409), then re-sends `installed` for the same installation', async function () {
      const first = await installFresh({ scopes: DEFAULT_SCOPES.filter((s) => s !== 'read:confluence-user') });
      const yaml = manifestYaml({ ...first.options, scopes: DEFAULT_SCOPES });
      const refused = await install(yaml);
      assertError(refused, 409, /major version.*read:confluence-user/);
      const before = remote.callsTo('/installed').filter((c) => c.body.key === first.appKey);
      const upgraded = await install(yaml, { upgrade: true });
      assertStatus(upgraded, 200);
      assert.equal(upgraded.body.update, 'major');
      assert.equal(upgraded.body.appVersion, '2.0.0');
      const after = remote.callsTo('/installed').filter((c) => c.body.key === first.appKey);
      assert.equal(after.length, before.length + 1, 'one more installed call');
      assert.equal(after.at(-1)?.body.installationId, first.installationId);
      await verifyLifecycleJwt(after.at(-1) as ReceivedCall, '/installed');
    });

    it('the same app.connect.key from another Forge app is refused with 409', async function () {
      const first = await installFresh();
      assertError(await install(manifestYaml({ ...first.options, appUuid: newAppUuid() })), 409, /only be installed once/);
    });
  });

  describe('manifests it refuses (400, naming the problem)', function () {
    it('a manifest @forge/manifest refuses: app.runtime missing', async function () {
      const m = manifestObject({ key: uniqueKey('forge'), baseUrl: remote.baseUrl });
      delete (m.app as Record<string, unknown>).runtime;
      assertError(await install(stringify(m)), 400, /@forge\/manifest.*runtime/);
    });

    it('an unknown connectModules type (confluence:generalPagez)', async function () {
      const m = manifestObject({ key: uniqueKey('forge'), baseUrl: remote.baseUrl });
      const modules = m.connectModules as Record<string, unknown>;
      modules['confluence:generalPagez'] = modules['confluence:generalPages'];
      delete modules['confluence:generalPages'];
      assertError(await install(stringify(m)), 400, /generalPagez/);
    });

    it('YAML that does not parse', async function () {
      assertError(await install('app: [unclosed\n  id: x'), 400, /not valid YAML/);
    });

    it('a remote that refuses `installed` leaves nothing installed', async function () {
      const key = uniqueKey('forge');
      remote.script('/installed', [500]);
      const res = await install(manifestYaml({ key, baseUrl: remote.baseUrl }));
      assertError(res, 400, /answered 500 to the installed callback/);
      const apps = await site.control.ok(site.control.get<EmulatorAppEntry[]>('apps'), 'GET apps');
      assert.equal(
        apps.find((a) => a.key === key),
        undefined,
      );
    });
  });

  describe('Forge Invocation Tokens', function () {
    let installed: Installation & { options: ManifestOptions };

    before(async function () {
      installed = await installFresh();
    });

    it('verify against the JWKS with issuer forge/invocation-token and audience the app id, and carry the documented claims', async function () {
      const { token, headers } = await fit(installed.appKey, { accountId: alice, endpoint: 'remote-ui' });
      assert.equal(headers.authorization, `Bearer ${token}`);
      const header = decodeProtectedHeader(token);
      assert.equal(header.alg, 'RS256');
      assert.ok(header.kid);
      const claims = await verifyFit(token, installed.appId);
      const app = claims.app as Record<string, unknown>;
      assert.equal(app.id, installed.appId);
      assert.equal(app.installationId, installed.installationId);
      assert.deepEqual(app.module, { type: 'core:endpoint', key: 'remote-ui' });
      assert.match(String(app.apiBaseUrl), /\/ex\/confluence\/[0-9a-f-]{36}$/);
      const context = claims.context as Record<string, unknown>;
      assert.equal(String(app.apiBaseUrl).endsWith(`/${String(context.cloudId)}`), true, 'apiBaseUrl ends in the cloudId');
      assert.equal(context.siteUrl, site.emu.baseUrl);
      assert.equal(claims.principal, alice);
      assert.ok(typeof claims.exp === 'number' && typeof claims.iat === 'number' && claims.exp > claims.iat);
    });

    it('has no principal when no user invoked it', async function () {
      const claims = await verifyFit((await fit(installed.appKey)).token, installed.appId);
      assert.equal(claims.principal, undefined);
    });

    it('a FIT for another audience, or with a changed payload, does not verify', async function () {
      const { token } = await fit(installed.appKey);
      await assert.rejects(jwtVerify(token, jwks, { issuer: 'forge/invocation-token', audience: 'ari:cloud:ecosystem::app/someone-else' }));
      const [h, p, s] = token.split('.');
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
      claims.principal = bob;
      const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
      await assert.rejects(jwtVerify(forged, jwks, { issuer: 'forge/invocation-token', audience: installed.appId }));
    });

    it("an expired FIT (ttlSeconds < 0, for remotes' tests) is refused by the verifier", async function () {
      const { token } = await fit(installed.appKey, { ttlSeconds: -60 });
      await assert.rejects(jwtVerify(token, jwks, { issuer: 'forge/invocation-token', audience: installed.appId }), /exp/);
    });

    it('a user token comes only with a user; the system token with the endpoint asking for it', async function () {
      const withUser = await fit(installed.appKey, { endpoint: 'remote-ui', accountId: alice });
      assert.ok(withUser.headers['x-forge-oauth-system']);
      assert.ok(withUser.headers['x-forge-oauth-user']);
      const noUser = await fit(installed.appKey, { endpoint: 'remote-ui' });
      assert.equal(noUser.headers['x-forge-oauth-user'], undefined);
      const jobs = await fit(installed.appKey, { endpoint: 'remote-jobs', accountId: alice });
      assert.ok(jobs.headers['x-forge-oauth-system']);
      assert.equal(jobs.headers['x-forge-oauth-user'], undefined, 'remote-jobs does not ask for a user token');
    });
  });

  describe('app system and user tokens on the REST API', function () {
    let installed: Installation & { options: ManifestOptions };
    let apiBaseUrl: string;
    let systemToken: string;
    let userToken: string;
    let secret: string;

    before(async function () {
      installed = await installFresh();
      apiBaseUrl = await apiBaseUrlOf(installed.appKey, installed.appId);
      const { headers } = await fit(installed.appKey, { endpoint: 'remote-ui', accountId: alice });
      systemToken = headers['x-forge-oauth-system'];
      userToken = headers['x-forge-oauth-user'];
      secret = String(remote.callsTo('/installed').find((c) => c.body.key === installed.appKey)?.body.sharedSecret);
    });

    function connectJwt(method: string, path: string, body?: unknown): Promise<RawResponse> {
      return rawRequest(`${site.emu.siteUrl}${path}`, {
        method,
        headers: {
          Authorization: `JWT ${signAppJwt({ iss: installed.appKey, secret, method, path })}`,
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    }

    it('the system token acts as the app (its bot user); the user token as that user', async function () {
      const asApp = await bearer(`${apiBaseUrl}/wiki/rest/api/user/current`, systemToken);
      assertStatus(asApp, 200);
      assert.equal((asApp.body as { accountType?: string }).accountType, 'app');
      const asUser = await bearer(`${apiBaseUrl}/wiki/rest/api/user/current`, userToken);
      assertStatus(asUser, 200);
      assert.equal((asUser.body as { accountId?: string }).accountId, alice);
    });

    it('reach the same user properties as the Connect identity of the same app key, both ways', async function () {
      const path = userPropertyPath(alice, 'shared-prefs');
      assertStatus(await connectJwt('POST', path, { value: { from: 'connect' } }), 201);
      const read = await bearer(`${apiBaseUrl}/wiki${path}`, userToken);
      assertStatus(read, 200);
      assert.deepEqual((read.body as { value: unknown }).value, { from: 'connect' });
      assertStatus(await bearer(`${apiBaseUrl}/wiki${path}`, systemToken, { method: 'PUT', body: { value: { from: 'forge' } } }), 204);
      const back = await connectJwt('GET', path);
      assert.deepEqual((back.body as { value: unknown }).value, { from: 'forge' });
    });

    it('reach the same app properties as the Connect identity (documented for app.connect.key)', async function () {
      const path = appPropertyPath(installed.appKey, 'site-settings');
      assertStatus(await bearer(`${apiBaseUrl}/wiki${path}`, systemToken, { method: 'PUT', body: { mode: 'forge' } }), 201);
      const read = await connectJwt('GET', path);
      assertStatus(read, 200);
      assert.deepEqual((read.body as { value: unknown }).value, { mode: 'forge' });
    });

    it('calls are logged as forge-system / forge-user, the user call with its user', async function () {
      await bearer(`${apiBaseUrl}/wiki/rest/api/user/current`, userToken);
      const log = await site.control.ok(
        site.control.get<{ authKind: string; appKey: string; accountId: string | null }[]>(`requests?appKey=${installed.appKey}`),
        'GET requests',
      );
      assert.ok(log.some((e) => e.authKind === 'forge-user' && e.accountId === alice));
      assert.ok(log.some((e) => e.authKind === 'forge-system' && e.accountId === null));
    });

    it('are accepted at the API base URL only: on the site itself they are 401', async function () {
      assertError(await bearer(`${site.emu.siteUrl}/rest/api/user/current`, systemToken), 401, /API base URL/);
    });

    it('the API base URL takes no Connect JWT, and another cloudId is not this site', async function () {
      const path = '/rest/api/user/current';
      const jwt = signAppJwt({ iss: installed.appKey, secret, method: 'GET', path });
      assertError(
        await rawRequest(`${apiBaseUrl}/wiki${path}`, { headers: { Authorization: `JWT ${jwt}` } }),
        401,
        /Forge app tokens only/,
      );
      const other = apiBaseUrl.replace(/[0-9a-f-]{36}$/, '00000000-0000-4000-8000-000000000000');
      assertError(await bearer(`${other}/wiki${path}`, systemToken), 404, /cloudId/);
    });

    it("an operation outside the manifest's Forge scopes is 403, though the Connect scopes would allow it", async function () {
      const readOnly = await installFresh({ scopes: DEFAULT_SCOPES.filter((s) => s !== 'write:user.property:confluence') });
      const base = await apiBaseUrlOf(readOnly.appKey, readOnly.appId);
      const token = (await fit(readOnly.appKey, { endpoint: 'remote-ui' })).headers['x-forge-oauth-system'];
      const path = userPropertyPath(alice, 'k');
      assertError(
        await bearer(`${base}/wiki${path}`, token, { method: 'POST', body: { value: { a: 1 } } }),
        403,
        /write:user\.property:confluence/,
      );
      assertStatus(await bearer(`${base}/wiki${userPropertyPath(alice)}`, token), 200);
    });

    it('a user token obeys the as-user restriction when it is on', async function () {
      await site.control.ok(site.control.put('settings', { asUserRestriction: true }), 'PUT settings');
      try {
        const others = await bearer(`${apiBaseUrl}/wiki${userPropertyPath(bob)}`, userToken);
        assertError(others, 403, /another user/);
        assertStatus(await bearer(`${apiBaseUrl}/wiki${userPropertyPath(bob)}`, systemToken), 200);
      } finally {
        await site.control.ok(site.control.put('settings', { asUserRestriction: false }), 'PUT settings');
      }
    });
  });

  describe('scheduled triggers', function () {
    let installed: Installation & { options: ManifestOptions };

    before(async function () {
      installed = await installFresh();
    });

    interface Run {
      status: number | null;
      body: string | null;
      ok: boolean;
      attempts: { status: number | null; error?: string }[];
    }

    function run(key = 'nightly'): Promise<RawResponse<Run>> {
      return site.control.post<Run>('forge/scheduled-triggers/run', { appKey: installed.appKey, key });
    }

    it('POSTs to the endpoint with a FIT, the app system token and no user token, and answers {status, body}', async function () {
      const before = remote.callsTo('/forge/jobs').length;
      const res = await run();
      assertStatus(res, 200);
      assert.equal(res.body.status, 200);
      assert.equal(res.body.ok, true);
      assert.deepEqual(JSON.parse(String(res.body.body)), { answeredBy: 'receiver', path: '/forge/jobs', status: 200 });
      const calls = remote.callsTo('/forge/jobs').slice(before);
      assert.equal(calls.length, 1);
      const call = calls[0];
      const auth = String(call.headers.authorization);
      assert.match(auth, /^Bearer /);
      const claims = await verifyFit(auth.slice(7), installed.appId);
      assert.equal(claims.principal, undefined, 'no user in a scheduled trigger');
      assert.deepEqual((claims.app as Record<string, unknown>).module, { type: 'core:endpoint', key: 'remote-jobs' });
      assert.equal(call.headers['x-forge-oauth-user'], undefined);
      assert.ok(call.headers['x-b3-traceid']);
      const system = String(call.headers['x-forge-oauth-system']);
      const apiBaseUrl = String((claims.app as Record<string, unknown>).apiBaseUrl);
      const asApp = await bearer(`${apiBaseUrl}/wiki/rest/api/user/current`, system);
      assertStatus(asApp, 200);
      assert.equal((call.body.context as Record<string, unknown>).moduleKey, 'nightly');
    });

    it('retries a failing remote: two 500s, then success on the third attempt', async function () {
      const before = remote.callsTo('/forge/jobs').length;
      remote.script('/forge/jobs', [500, 503]);
      const res = await run();
      assertStatus(res, 200);
      assert.equal(res.body.ok, true);
      assert.deepEqual(
        res.body.attempts.map((a) => a.status),
        [500, 503, 200],
      );
      const calls = remote.callsTo('/forge/jobs').slice(before);
      assert.equal(calls.length, 3);
      assert.equal(calls[0].body.retryContext, undefined);
      assert.equal((calls[2].body.retryContext as Record<string, unknown>).retryCount, 2);
      const fits = new Set(calls.map((c) => String(c.headers.authorization)));
      assert.equal(fits.size, 3, 'each attempt carries a fresh FIT');
    });

    it('gives up after 4 retries (5 attempts) and answers the last status', async function () {
      const before = remote.callsTo('/forge/jobs').length;
      remote.script('/forge/jobs', [500, 500, 500, 500, 502, 200]);
      const res = await run();
      assertStatus(res, 200);
      assert.equal(res.body.ok, false);
      assert.equal(res.body.status, 502);
      assert.equal(res.body.attempts.length, 5);
      assert.equal(remote.callsTo('/forge/jobs').length - before, 5);
      remote.script('/forge/jobs', []);
    });

    it('an unknown trigger is 404; an unknown app is 404', async function () {
      assertError(await run('no-such-trigger'), 404, /no scheduledTrigger no-such-trigger/);
      assertError(await site.control.post('forge/scheduled-triggers/run', { appKey: 'no.such.app', key: 'nightly' }), 404);
    });
  });

  describe('uninstall and reinstall', function () {
    it('DELETE sends the signed `uninstalled` with the installationId; its tokens stop working; a reinstall gets a new installation, same clientKey', async function () {
      const first = await installFresh();
      const apiBaseUrl = await apiBaseUrlOf(first.appKey, first.appId);
      const token = (await fit(first.appKey, { endpoint: 'remote-ui' })).headers['x-forge-oauth-system'];
      const clientKey = remote.callsTo('/installed').find((c) => c.body.key === first.appKey)?.body.clientKey;

      assertStatus(await site.control.del(`forge/installations/${encodeURIComponent(first.installationId)}`), 204);
      const uninstalled = remote.callsTo('/uninstalled').filter((c) => c.body.key === first.appKey);
      assert.equal(uninstalled.length, 1);
      assert.equal(uninstalled[0].body.installationId, first.installationId);
      assert.equal(uninstalled[0].body.eventType, 'uninstalled');
      await verifyLifecycleJwt(uninstalled[0], '/uninstalled');
      const apps = await site.control.ok(site.control.get<EmulatorAppEntry[]>('apps'), 'GET apps');
      assert.equal(apps.find((a) => a.key === first.appKey)?.status, 'uninstalled');
      assertError(await bearer(`${apiBaseUrl}/wiki/rest/api/user/current`, token), 401);
      assertError(await site.control.del(`forge/installations/${encodeURIComponent(first.installationId)}`), 404);

      const again = await install(manifestYaml(first.options));
      assertStatus(again, 201);
      assert.notEqual(again.body.installationId, first.installationId);
      const reinstalled = remote
        .callsTo('/installed')
        .filter((c) => c.body.key === first.appKey)
        .at(-1);
      assert.equal(reinstalled?.body.clientKey, clientKey, 'the clientKey stays with the app on the site');
      assertError(await bearer(`${apiBaseUrl}/wiki/rest/api/user/current`, token), 401, /earlier installation/);
    });
  });

  describe('with an unmodified ACE app as the remote', function () {
    it('ACE verifies the Forge `installed` as a signed install and maps the installationId to its clientKey; both identities share its data', async function () {
      const ace = await site.startApp();
      const res = await install(manifestYaml({ key: ace.key, baseUrl: ace.baseUrl }));
      assertStatus(res, 201);
      const hook = ace.lifecycle.find((c) => c.path === '/installed');
      assert.equal(hook?.status, 204, 'ACE accepted the RS256 install');
      const info = await ace.clientInfo();
      assert.ok(info, 'ACE saved the installation');
      const mapped = await (
        ace.addon.settings as unknown as { getClientSettingsForForgeInstallation(id: string): Promise<{ clientKey?: string } | null> }
      ).getClientSettingsForForgeInstallation(res.body.installationId);
      assert.equal(mapped?.clientKey, info.clientKey, "ACE's associateConnect finds the clientKey by installationId");

      const path = userPropertyPath(alice, 'through-ace');
      const written = await hostCall(ace.addon.httpClient({ clientKey: info.clientKey }), 'post', path, {
        json: { value: { via: 'ace-jwt' } },
      });
      assert.equal(written.status, 201, JSON.stringify(written.body));
      const apiBaseUrl = await apiBaseUrlOf(ace.key, res.body.appId);
      const userToken = (await fit(ace.key, { endpoint: 'remote-ui', accountId: alice })).headers['x-forge-oauth-user'];
      const read = await bearer(`${apiBaseUrl}/wiki${path}`, userToken);
      assertStatus(read, 200);
      assert.deepEqual((read.body as { value: unknown }).value, { via: 'ace-jwt' });
    });
  });

  describe('with a state file', function () {
    it('a Forge installation survives a restart: same installation, same cloudId, its app tokens still work', async function () {
      const dir = mkdtempSync(join(tmpdir(), 'emulator-forge-state-'));
      const stateFile = join(dir, 'state.json');
      let first: Site | undefined;
      let second: Site | undefined;
      try {
        first = await startSite({ stateFile });
        const options: ManifestOptions = { key: uniqueKey('forge'), baseUrl: remote.baseUrl, appUuid: newAppUuid() };
        const installed = await first.control.ok(
          first.control.post<Installation>('forge/installations', { manifest: manifestYaml(options) }),
          'install',
        );
        const { token, headers } = await first.control.ok(
          first.control.post<{ token: string; headers: Record<string, string> }>('forge/fit', {
            appKey: options.key,
            endpoint: 'remote-ui',
          }),
          'POST forge/fit',
        );
        const cloudId = String(
          (
            (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>).context as Record<
              string,
              unknown
            >
          ).cloudId,
        );
        await first.close();
        first = undefined;

        second = await startSite({ stateFile });
        const apps = await second.control.ok(second.control.get<EmulatorAppEntry[]>('apps'), 'GET apps');
        const entry = apps.find((a) => a.key === options.key);
        assert.equal(entry?.installedVia, 'forge');
        assert.equal(entry?.installationId, installed.installationId);
        const res = await bearer(
          `${second.emu.baseUrl}/ex/confluence/${cloudId}/wiki/rest/api/user/current`,
          headers['x-forge-oauth-system'],
        );
        assertStatus(res, 200);
        const run = await second.control.post<{ ok: boolean }>('forge/scheduled-triggers/run', { appKey: options.key, key: 'nightly' });
        assertStatus(run, 200);
        assert.equal(run.body.ok, true, 'the manifest came back with the installation');
      } finally {
        await first?.close();
        await second?.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('alongside Connect installs', function () {
    it('a Forge install replaces the UPM install of the same key (same clientKey); UPM then refuses to install it over Forge', async function () {
      const ace = await site.startApp();
      assert.equal(await ace.register(), true, 'UPM install');
      const connectInfo = await ace.clientInfo();
      let apps = await site.control.ok(site.control.get<EmulatorAppEntry[]>('apps'), 'GET apps');
      const before = apps.find((a) => a.key === ace.key);
      assert.equal(before?.installedVia, 'connect');
      assert.equal(before?.installationId, null);

      const res = await install(manifestYaml({ key: ace.key, baseUrl: ace.baseUrl }));
      assertStatus(res, 201);
      apps = await site.control.ok(site.control.get<EmulatorAppEntry[]>('apps'), 'GET apps');
      const after = apps.find((a) => a.key === ace.key);
      assert.equal(after?.installedVia, 'forge');
      assert.equal(after?.clientKey, connectInfo?.clientKey);

      const upm = await upmInstall(site.emu.registrationUrl, ace.descriptorUrl);
      assert.equal(upm.installed, false);
      assert.match(upm.message, /installed on this site through Forge/);
    });
  });
});
