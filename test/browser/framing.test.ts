// Who may frame Keepsake's iframes, in a real browser (issue 8, item 11; docs/security.md): the
// panel loads and works inside the emulated Confluence page with its Content-Security-Policy
// (no directive refused anything), and Chromium refuses the very same iframe URL when a page
// of another origin — another port on this machine — frames it.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, ConsoleMessage, Frame } from 'playwright-core';
import { SEEDED_USERS } from '../../emulator';
import { setIds } from '../support/set-entries';
import { keepsakeFrame, openConfluencePage, startBrowserStack, type BrowserStack } from './support/browser-stack';
import { settled } from './support/panel';

const alice = SEEDED_USERS.alice.accountId;

interface ViolationGlobals {
  __cspViolations: string[];
  document: { addEventListener(type: string, listener: (event: { violatedDirective: string; blockedURI: string }) => void): void };
}

/** Every frame of this browser records what its Content-Security-Policy refused. */
async function recordViolations(browser: BrowserContext): Promise<void> {
  await browser.addInitScript(() => {
    const page = globalThis as unknown as ViolationGlobals;
    page.__cspViolations = [];
    page.document.addEventListener('securitypolicyviolation', (event) =>
      page.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`),
    );
  });
}

function violations(frame: Frame): Promise<string[]> {
  return frame.evaluate(() => (globalThis as unknown as ViolationGlobals).__cspViolations);
}

/** A page on another origin that frames whatever URL it is given. */
function strangerSite(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const src = new URL(req.url ?? '/', 'http://x').searchParams.get('src') ?? '';
    const attribute = src.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(
      `<!DOCTYPE html><title>Another site</title><h1>Not Confluence</h1><iframe id="framed" src="${attribute}" width="600" height="400"></iframe>`,
    );
  });
  return new Promise((resolve) => {
    server.listen(0, () => resolve({ server, url: `http://localhost:${(server.address() as AddressInfo).port}` }));
  });
}

describe('Framing of the iframes in the browser', function () {
  this.timeout(120_000);
  let env: BrowserStack;
  let stranger: { server: Server; url: string };
  let panelUrl: string;
  before(async () => {
    env = await startBrowserStack();
    stranger = await strangerSite();
  });
  after(async () => {
    stranger?.server.close();
    await env?.close();
  });
  afterEach(() => assert.deepEqual(env.offMachineRequests, [], 'nothing leaves the machine'));

  it('loads the panel inside the Confluence page, where it works and its policy refuses nothing', async () => {
    const browser = await env.browserFor(alice);
    await recordViolations(browser);
    const page = await openConfluencePage(browser, env.emulator, '65602');
    const panel = await keepsakeFrame(page, '/panel');
    // The panel's own script ran (it marks its migration step) and all.js talks to the host.
    await panel.locator('#keepsake-panel[data-migration]').waitFor();
    const bookmark = panel.locator('button[data-set="bookmarks"]');
    await bookmark.click();
    await panel.locator('button[data-set="bookmarks"][aria-pressed="true"]').waitFor();
    await settled(panel);
    assert.deepEqual(await setIds((path) => env.stack.api(alice, 'GET', path), 'bookmarks'), ['65602']);
    assert.deepEqual(await violations(panel), []);
    panelUrl = panel.url();
    assert.match(panelUrl, /\/panel\?.*jwt=/);
  });

  it('loads My Keepsake and the admin page (with its bar chart) with nothing refused either', async () => {
    // A rejected cookie puts a bar in the admin page's chart (drawn with a style attribute).
    await env.stack.api(alice, 'POST', '/api/migrations/cookies', { cookies: { keepsake_bookmarks: '[{"a":' } });
    for (const [accountId, path, ready] of [
      [alice, '/my-keepsake', '#ks-bookmarks'],
      [SEEDED_USERS.admin.accountId, '/admin', '#ks-reasons .ks-bar'],
    ] as const) {
      const browser = await env.browserFor(accountId);
      await recordViolations(browser);
      const page = await browser.newPage();
      await page.goto(`${env.emulator.baseUrl}/wiki/plugins/servlet/ac/keepsake/${path === '/admin' ? 'keepsake-admin' : 'my-keepsake'}`);
      const frame = await keepsakeFrame(page, path);
      await frame.locator(ready).first().waitFor();
      if (path === '/admin')
        assert.notEqual(
          await frame
            .locator('#ks-reasons .ks-bar')
            .first()
            .evaluate((bar) => (bar as unknown as { style: { width: string } }).style.width),
          '',
        );
      assert.deepEqual(await violations(frame), [], path);
    }
  });

  it('is refused by Chromium when another origin frames the same iframe URL', async () => {
    assert.ok(panelUrl, 'the panel loaded in Confluence first');
    const browser = await env.browserFor(alice);
    const page = await browser.newPage();
    const refused = page.waitForEvent('console', { predicate: (message: ConsoleMessage) => /frame-ancestors/.test(message.text()) });
    const served = page.waitForResponse((response) => response.url() === panelUrl);
    await page.goto(`${stranger.url}/?src=${encodeURIComponent(panelUrl)}`);
    // Keepsake did answer the request — the token is still good — and the browser refused to show it.
    assert.equal((await served).status(), 200);
    await page.locator('h1', { hasText: 'Not Confluence' }).waitFor();
    const refusal = (await refused).text();
    // e.g. Framing 'http://localhost:…/' violates the following Content Security Policy directive:
    // "frame-ancestors http://localhost:<emulator>". The request has been blocked.
    assert.match(refusal, /blocked|refused/i);
    assert.ok(refusal.includes(`"frame-ancestors ${new URL(env.emulator.baseUrl).origin}"`), refusal);
    const framed = page.frames().find((frame: Frame) => frame !== page.mainFrame());
    assert.ok(framed, 'the iframe element has a frame');
    assert.doesNotMatch(framed.url(), /\/panel\?/, 'the frame does not hold the panel');
    assert.equal(await framed.locator('#keepsake-panel').count(), 0, 'nothing of the panel is shown');
  });
});
