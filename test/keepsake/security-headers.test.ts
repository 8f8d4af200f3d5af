// HTTP hardening (issue 8, item 11; docs/security.md): an iframe page may be framed only by the
// site it was rendered for (and *.atlassian.net in production), loads only its own files and
// Atlassian's all.js, and is never stored; every other answer is not embeddable at all. The
// browser test (test/browser/framing.test.ts) shows Chromium enforcing it.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { SEEDED_USERS, startEmulator } from '../../emulator';
import { securityHeaders, setPagePolicy } from '../../routes/security-headers';
import { APP_KEY, type Emulator, request, startStack, type Stack } from '../support/keepsake-stack';

const { alice, admin } = SEEDED_USERS;

type Policy = Record<string, string[]>;

function policyOf(headers: Headers): Policy {
  const header = headers.get('content-security-policy');
  assert.ok(header, 'a Content-Security-Policy header');
  return Object.fromEntries(
    header
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...sources]) => [name, sources]),
  );
}

async function pageUrl(emulator: Emulator, moduleKey: string, accountId: string): Promise<string> {
  const reply = await request<{ url: string }>(
    `${emulator.baseUrl}/_emulator/iframe-url?appKey=${APP_KEY}&moduleKey=${moduleKey}&accountId=${encodeURIComponent(accountId)}`,
    'GET',
  );
  assert.equal(reply.status, 200);
  return reply.body.url;
}

function assertHardened(headers: Headers, what: string): void {
  assert.equal(headers.get('x-content-type-options'), 'nosniff', what);
  assert.equal(headers.get('referrer-policy'), 'no-referrer', what);
}

function assertNotEmbeddable(headers: Headers, what: string): void {
  assertHardened(headers, what);
  const policy = policyOf(headers);
  assert.deepEqual(policy['frame-ancestors'], ["'none'"], what);
  assert.deepEqual(policy['default-src'], ["'none'"], what);
  assert.equal(headers.get('x-frame-options'), 'DENY', what);
}

describe('HTTP hardening headers', () => {
  describe('in development', () => {
    let stack: Stack;
    let other: Emulator;
    before(async () => {
      stack = await startStack();
      // A second site with Keepsake installed: the same Keepsake, another origin.
      other = await startEmulator({ port: 0 });
      const keys = process.env.CONNECT_KEYS_CDN_URL;
      process.env.CONNECT_KEYS_CDN_URL = other.keysUrl;
      try {
        const installed = await request(`${other.baseUrl}/_emulator/apps`, 'POST', {
          descriptorUrl: `${stack.keepsake.url}/atlassian-connect.json`,
        });
        assert.equal(installed.status, 201, JSON.stringify(installed.body));
      } finally {
        process.env.CONNECT_KEYS_CDN_URL = keys;
      }
    });
    after(async () => {
      await stack?.close();
      await other?.close();
    });

    it('lets only the site it was rendered for frame an iframe page, with its own files and all.js, never stored', async () => {
      const allJs = stack.settings.AC_HOST_SCRIPT_URL ?? 'https://connect-cdn.atl-paas.net/all.js';
      for (const [moduleKey, accountId] of [
        ['keepsake-panel', alice.accountId],
        ['my-keepsake', alice.accountId],
        ['keepsake-admin', admin.accountId],
        ['keepsake-admin', alice.accountId],
      ] as const) {
        const what = `${moduleKey} as ${accountId}`;
        const page = await fetch(await pageUrl(stack.emulator, moduleKey, accountId));
        assert.equal(page.status, moduleKey === 'keepsake-admin' && accountId === alice.accountId ? 403 : 200, what);
        assert.match(page.headers.get('content-type') ?? '', /^text\/html/, what);
        assertHardened(page.headers, what);
        assert.equal(page.headers.get('cache-control'), 'no-store', what);
        assert.equal(page.headers.get('x-frame-options'), null, `${what}: frame-ancestors decides`);
        const policy = policyOf(page.headers);
        assert.deepEqual(policy['frame-ancestors'], [new URL(stack.emulator.baseUrl).origin], what);
        assert.deepEqual(policy['default-src'], ["'none'"], what);
        assert.deepEqual(policy['script-src'], ["'self'", allJs], what);
        // The design-token stylesheets AP.theming adds come from all.js's origin, nowhere else.
        assert.deepEqual(policy['style-src'], ["'self'", new URL(allJs).origin], what);
        assert.deepEqual(policy['connect-src'], ["'self'"], what);
        // Every script the page names is one the policy allows; no inline script runs.
        const html = await page.text();
        for (const [, src] of html.matchAll(/<script\b[^>]*\bsrc="([^"]*)"/g)) {
          assert.ok(src.startsWith('/public/build/') || src === allJs, `${what}: script ${src}`);
        }
        for (const [tag] of html.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>/g)) {
          assert.match(tag, /type="application\/json"/, `${what}: an inline script would be refused: ${tag}`);
        }
      }
    });

    it('names the other site as the only ancestor of a page rendered for it', async () => {
      const page = await fetch(await pageUrl(other, 'keepsake-panel', alice.accountId));
      assert.equal(page.status, 200);
      assert.deepEqual(policyOf(page.headers)['frame-ancestors'], [new URL(other.baseUrl).origin]);
      assert.notEqual(new URL(other.baseUrl).origin, new URL(stack.emulator.baseUrl).origin);
    });

    it('makes every other answer non-embeddable: user data, errors, health, the descriptor, files, a page load that failed', async () => {
      const preferences = await stack.api(alice.accountId, 'GET', '/api/preferences');
      assert.equal(preferences.status, 200);
      assert.equal(preferences.headers.get('cache-control'), 'no-store');
      assertNotEmbeddable(preferences.headers, 'GET /api/preferences');
      for (const [path, status] of [
        ['/api/preferences', 401],
        ['/healthz', 200],
        ['/atlassian-connect.json', 200],
        ['/no-such-path', 404],
      ] as const) {
        const reply = await fetch(`${stack.keepsake.url}${path}`);
        assert.equal(reply.status, status, path);
        assert.equal(reply.headers.get('cache-control'), 'no-store', path);
        assertNotEmbeddable(reply.headers, path);
      }
      const html = await fetch(`${stack.keepsake.url}/panel`);
      const script = /<script src="(\/public\/build\/[^"]+)"/.exec(await html.text());
      const css = /<link rel="stylesheet" href="(\/public\/build\/[^"]+)"/.exec(
        await fetch(await pageUrl(stack.emulator, 'keepsake-panel', alice.accountId)).then((r) => r.text()),
      );
      assert.ok(css, 'the page links its stylesheet');
      const file = await fetch(`${stack.keepsake.url}${css[1]}`);
      assert.equal(file.status, 200);
      assert.equal(file.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assertNotEmbeddable(file.headers, css[1]);
      // The page load without a token: a page saying what to do, framed by nobody (the site is unknown).
      assert.equal(html.status, 401);
      assert.equal(script, null, 'the failure page runs no script of Keepsake');
      assertHardened(html.headers, 'GET /panel without a token');
      assert.deepEqual(policyOf(html.headers)['frame-ancestors'], ["'none'"]);
      assert.equal(html.headers.get('cache-control'), 'no-store');
    });
  });

  describe('in production', () => {
    // Only the environment differs (app.ts sets Express's env from NODE_ENV): the middleware and
    // the page policy of routes/security-headers.ts, on an app in production mode.
    let server: Server;
    let url: string;
    const site = 'https://acme.atlassian.net/wiki';
    const allJs = 'https://connect-cdn.atl-paas.net/all.js';
    before(async () => {
      const app = express();
      app.set('env', 'production');
      app.use(securityHeaders());
      app.get('/page', (req, res) => {
        setPagePolicy(res, {
          siteBaseUrl: req.query.site === undefined ? undefined : String(req.query.site),
          hostScriptUrl: allJs,
          production: true,
        });
        res.send('<!DOCTYPE html>');
      });
      app.get('/data', (_req, res) => {
        res.json({});
      });
      server = app.listen(0);
      await new Promise((resolve) => server.once('listening', resolve));
      url = `http://localhost:${(server.address() as AddressInfo).port}`;
    });
    after(() => server?.close());

    it('lets the site and *.atlassian.net frame a page, *.atlassian.net alone when the site is unknown, and asks for HTTPS', async () => {
      const page = await fetch(`${url}/page?site=${encodeURIComponent(site)}`);
      assert.deepEqual(policyOf(page.headers)['frame-ancestors'], ['https://acme.atlassian.net', 'https://*.atlassian.net']);
      assert.deepEqual(policyOf(page.headers)['script-src'], ["'self'", allJs]);
      assert.match(page.headers.get('strict-transport-security') ?? '', /max-age=\d+/);
      const unknown = await fetch(`${url}/page`);
      assert.deepEqual(policyOf(unknown.headers)['frame-ancestors'], ['https://*.atlassian.net']);
      // A base URL no CSP source can name (or one trying to add a directive) is left out.
      const hostile = await fetch(`${url}/page?site=${encodeURIComponent('https://a.example; script-src *')}`);
      assert.deepEqual(policyOf(hostile.headers)['frame-ancestors'], ['https://*.atlassian.net']);
      assert.deepEqual(policyOf(hostile.headers)['script-src'], ["'self'", allJs]);
      const data = await fetch(`${url}/data`);
      assertNotEmbeddable(data.headers, 'JSON in production');
      assert.equal(data.headers.get('cache-control'), 'no-store');
    });
  });
});
