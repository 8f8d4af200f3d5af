// Conformance: hosting Connect apps that are not Keepsake (issue 12, item 6). A small
// third-party-style app — a static descriptor served by a tiny express server, a module url
// without a leading slash, `authentication: none` — installs and its page opens; header
// locations, tiny links, body.storage, the favicon and the uninstall confirmation.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { SEEDED_USERS } from '../../emulator';
import { moduleUrl } from '../../emulator/host/iframe-url';
import { contentIdOfTinyLink, tinyLinkCode } from '../../emulator/rest/tiny-link';
import { rawRequest, upmInstall } from '../support/ace-test-app';
import { type InstalledTestApp, type Site, assertStatus, startSite, uniqueKey, withInstalledApp } from './harness';

interface LifecycleCall {
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
}

interface StaticApp {
  key: string;
  baseUrl: string;
  descriptorUrl: string;
  lifecycle: LifecycleCall[];
  pageLoads: string[];
  close(): Promise<void>;
}

/** A third-party app: nothing but a static descriptor, lifecycle endpoints and one page. */
async function startStaticApp(descriptor: (baseUrl: string, key: string) => Record<string, unknown>): Promise<StaticApp> {
  const key = uniqueKey('third-party');
  const lifecycle: LifecycleCall[] = [];
  const pageLoads: string[] = [];
  const app = express();
  app.use(express.json());
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://localhost:${(server.address() as AddressInfo).port}`;
  const body = descriptor(baseUrl, key);
  app.get('/atlassian-connect.json', (_req, res) => res.json(body));
  app.post(['/installed', '/uninstalled', '/enabled'], (req, res) => {
    lifecycle.push({ path: req.path, authorization: req.get('authorization'), body: req.body as Record<string, unknown> });
    res.status(204).end();
  });
  app.get('/hello-world', (req, res) => {
    pageLoads.push(req.originalUrl);
    res.type('html').send('<!DOCTYPE html><title>Hello</title><p>Hello world</p>');
  });
  return {
    key,
    baseUrl,
    descriptorUrl: `${baseUrl}/atlassian-connect.json`,
    lifecycle,
    pageLoads,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Atlassian's getting-started shape: a general page whose url has no leading slash, no auth. */
function gettingStartedDescriptor(baseUrl: string, key: string): Record<string, unknown> {
  return {
    key,
    name: 'Hello World (third party)',
    description: 'A static app',
    baseUrl,
    vendor: { name: 'Someone else', url: 'https://example.com' },
    authentication: { type: 'none' },
    lifecycle: { installed: '/installed', uninstalled: '/uninstalled', enabled: '/enabled' },
    apiVersion: 1,
    scopes: ['read'],
    modules: {
      generalPages: [
        { key: 'hello-world', location: 'system.header/left', name: { value: 'Greeting' }, url: 'hello-world?space={space.key}' },
        { key: 'jira-only', location: 'system.top.navigation.bar', name: { value: 'Jira only page' }, url: 'hello-world' },
        { key: 'help-menu', location: 'system.help/pages', name: { value: 'Help page' }, url: 'hello-world' },
        { key: 'no-location', name: { value: 'Default location page' }, url: 'hello-world' },
        { key: 'space-tools', location: 'system.space.tools/addons', name: { value: 'Space tools page' }, url: 'hello-world' },
      ],
    },
  };
}

async function signInCookie(site: Site, accountId: string): Promise<string> {
  const res = await rawRequest(`${site.emu.baseUrl}/_emulator/login?accountId=${encodeURIComponent(accountId)}&next=/wiki/`);
  assertStatus(res, 302);
  const cookie = res.headers.get('set-cookie');
  assert.ok(cookie, 'the login sets a session cookie');
  return cookie.split(';')[0];
}

function hostPageData(pageHtml: string): { iframes: Array<{ url: string; key: string }> } {
  const match = /<script type="application\/json" id="emulator-host-data">(.*?)<\/script>/s.exec(pageHtml);
  assert.ok(match, 'the host page carries its iframe data');
  return JSON.parse(match[1]) as { iframes: Array<{ url: string; key: string }> };
}

describe('emulator conformance: a third-party app (static descriptor, url without a slash, authentication none)', function () {
  let site: Site;
  let app: StaticApp;
  let cookie: string;

  before(async function () {
    site = await startSite();
    app = await startStaticApp(gettingStartedDescriptor);
    const result = await upmInstall(site.emu.registrationUrl, app.descriptorUrl);
    assert.ok(result.installed, `the app installs: ${JSON.stringify(result)}`);
    cookie = await signInCookie(site, SEEDED_USERS.alice.accountId);
  });

  after(async function () {
    await app?.close();
    await site?.close();
  });

  it('gets no sharedSecret in the installed payload, and enabled comes unsigned', function () {
    const installed = app.lifecycle.find((c) => c.path === '/installed');
    assert.ok(installed, 'installed was called');
    assert.equal(installed.body.key, app.key);
    assert.equal(typeof installed.body.clientKey, 'string');
    assert.ok(
      !('sharedSecret' in installed.body),
      `no sharedSecret for an app with authentication none: ${JSON.stringify(installed.body)}`,
    );
    const enabled = app.lifecycle.find((c) => c.path === '/enabled');
    assert.ok(enabled, 'enabled was called');
    assert.equal(enabled.authorization, undefined, 'enabled is not signed: the app has no secret');
    assert.ok(!('sharedSecret' in enabled.body));
  });

  it('opens its page: the host page has an iframe on the app URL joined with one slash, unsigned', async function () {
    const res = await rawRequest(`${site.emu.baseUrl}/wiki/plugins/servlet/ac/${app.key}/hello-world`, { headers: { Cookie: cookie } });
    assertStatus(res, 200);
    const iframes = hostPageData(res.text).iframes;
    assert.equal(iframes.length, 1);
    const src = new URL(iframes[0].url);
    assert.equal(`${src.origin}${src.pathname}`, `${app.baseUrl}/hello-world`);
    assert.equal(src.searchParams.get('space'), '', 'an unknown context variable becomes empty');
    assert.equal(src.searchParams.get('xdm_e'), site.emu.baseUrl);
    assert.equal(src.searchParams.has('jwt'), false, 'no JWT for an app with authentication none');

    // And the app answers that URL (what the browser's iframe loads).
    const page = await rawRequest(iframes[0].url);
    assertStatus(page, 200);
    assert.match(page.text, /Hello world/);
    assert.equal(app.pageLoads.length, 1);
  });

  it('lists general pages in the header only at Confluence header locations (or none)', async function () {
    const res = await rawRequest(`${site.emu.baseUrl}/wiki/`, { headers: { Cookie: cookie } });
    assertStatus(res, 200);
    const nav = /<nav aria-label="Site">(.*?)<\/nav>/s.exec(res.text)?.[1] ?? '';
    assert.match(nav, /Greeting/, 'system.header/left');
    assert.match(nav, /Help page/, 'system.help/pages');
    assert.match(nav, /Default location page/, 'no location: the main navigation');
    assert.doesNotMatch(nav, /Jira only page/, "a Jira location is not Confluence's");
    assert.doesNotMatch(nav, /Space tools page/, 'not a header location');
  });

  it('uninstalls only after the admin confirms', async function () {
    const admin = await signInCookie(site, SEEDED_USERS.admin.accountId);
    const post = (form: Record<string, string>) =>
      rawRequest(`${site.emu.baseUrl}/wiki/plugins/servlet/upm/uninstall`, {
        method: 'POST',
        headers: { Cookie: admin, 'Content-Type': 'application/x-www-form-urlencoded', Origin: site.emu.baseUrl },
        body: new URLSearchParams(form).toString(),
      });
    const asked = await post({ appKey: app.key });
    assertStatus(asked, 200);
    assert.match(asked.text, /Are you sure you want to uninstall/);
    assert.match(asked.text, /name="confirmed" value="yes"/);
    assert.match(asked.text, /href="\/wiki\/plugins\/servlet\/upm">Cancel</);
    const still = await rawRequest(`${site.emu.baseUrl}/_emulator/apps/${app.key}`);
    assert.equal((still.body as { status?: string }).status, 'installed', 'nothing happens before the confirmation');
    assert.equal(app.lifecycle.filter((c) => c.path === '/uninstalled').length, 0);

    const done = await post({ appKey: app.key, confirmed: 'yes' });
    assertStatus(done, 200);
    assert.match(done.text, /Uninstalled/);
    const gone = await rawRequest(`${site.emu.baseUrl}/_emulator/apps/${app.key}`);
    assert.equal((gone.body as { status?: string }).status, 'uninstalled');
    const uninstalled = app.lifecycle.find((c) => c.path === '/uninstalled');
    assert.ok(uninstalled && !('sharedSecret' in uninstalled.body));
  });
});

describe('emulator conformance: module URLs joined to the baseUrl', function () {
  it('keeps the baseUrl path and puts exactly one slash between', function () {
    assert.equal(moduleUrl('https://app.example.com', 'hello-world').toString(), 'https://app.example.com/hello-world');
    assert.equal(moduleUrl('https://app.example.com', '/hello-world').toString(), 'https://app.example.com/hello-world');
    assert.equal(moduleUrl('https://app.example.com/base/', 'page?x=1').toString(), 'https://app.example.com/base/page?x=1');
    assert.equal(moduleUrl('https://app.example.com/base', '/page').toString(), 'https://app.example.com/base/page');
  });
});

describe('emulator conformance: content REST for other apps (body.storage, tiny links)', function () {
  let site: Site;
  let app: InstalledTestApp;

  withInstalledApp((started) => ({ site, app } = started));

  it('encodes tiny links as Confluence does (a real pair: 201819180 ↔ LIQHD)', function () {
    assert.equal(tinyLinkCode('201819180'), 'LIQHD');
    assert.equal(contentIdOfTinyLink('LIQHD'), '201819180');
    assert.equal(tinyLinkCode('65601'), 'QQAB');
  });

  it('answers _links.tinyui with that encoding', async function () {
    const res = await app.call<{ _links: { tinyui: string } }>('get', '/rest/api/content/65601');
    assertStatus(res, 200);
    assert.equal(res.body._links.tinyui, '/x/QQAB');
  });

  it('expand=body.storage returns {value, representation: "storage"}; body.view too; none without expand', async function () {
    type Body = {
      storage?: { value: string; representation: string };
      view?: { value: string; representation: string };
      _expandable: Record<string, string>;
    };
    const res = await app.call<{ body?: Body; _expandable: Record<string, string> }>('get', '/rest/api/content/65601?expand=body.storage');
    assertStatus(res, 200);
    assert.ok(res.body.body?.storage, `body.storage expanded: ${res.text}`);
    assert.equal(res.body.body.storage.representation, 'storage');
    assert.match(res.body.body.storage.value, /^<p>Engineering home<\/p>$/);
    assert.equal(res.body.body.view, undefined);
    assert.equal(res.body.body._expandable.view, '');
    assert.ok(!('body' in res.body._expandable), 'body is no longer expandable once expanded');

    const both = await app.call<{ body?: Body }>('get', '/rest/api/content/65601?expand=body.storage,body.view');
    assert.equal(both.body.body?.view?.representation, 'view');

    const plain = await app.call<{ body?: Body; _expandable: Record<string, string> }>('get', '/rest/api/content/65601');
    assert.equal(plain.body.body, undefined);
    assert.equal(plain.body._expandable.body, '');
    void site;
  });
});

describe('emulator conformance: the favicon', function () {
  let site: Site;
  before(async function () {
    site = await startSite();
  });
  after(async function () {
    await site?.close();
  });

  it('serves /favicon.ico as an SVG and names it in every host page', async function () {
    const icon = await rawRequest(`${site.emu.baseUrl}/favicon.ico`);
    assertStatus(icon, 200);
    assert.match(icon.headers.get('content-type') ?? '', /^image\/svg\+xml/);
    assert.match(icon.text, /^<svg /);
    const home = await rawRequest(`${site.emu.baseUrl}/wiki/`);
    assert.match(home.text, /<link rel="icon" type="image\/svg\+xml" href="data:image\/svg\+xml,/);
  });
});
