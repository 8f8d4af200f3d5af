// Bob in his own browser, next to alice's data: the UI shows him only his own state and her
// public card. With the as-user restriction off (the emulator's default, the documented
// platform) AP.request reaches her user properties, but they are ciphertext to him, and what he
// forges is never shown as hers — only she is told. With the restriction on, Confluence refuses.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { SEEDED_USERS } from '../../emulator';
import type { PageGlobals } from './support/page-globals';
import { keepsakeFrame, openConfluencePage, screenshotsDir, startBrowserStack, type BrowserStack } from './support/browser-stack';
import type { PanelState } from '../../lib/api/answers';

const alice = SEEDED_USERS.alice.accountId;
const bob = SEEDED_USERS.bob.accountId;
const carol = SEEDED_USERS.carol.accountId;
const ALICES_RECORD = `/rest/api/user/${encodeURIComponent(alice)}/property/keepsake-main`;
/** A page alice wrote (content-seed.ts). */
const ALICES_PAGE = '65602';

/** Runs AP.request inside the iframe, as that iframe's user; answers the HTTP status and body. */
function apRequestFromIframe(
  frame: Frame,
  options: { url: string; type?: string; data?: string },
): Promise<{ status: number; body: string }> {
  return frame.evaluate(
    (opts) =>
      (globalThis as unknown as PageGlobals).AP.request({ ...opts, contentType: 'application/json' }).then(
        (answer) => ({ status: answer.xhr.status, body: String(answer.body) }),
        (failure: { xhr: { status: number; responseText: string } }) => ({ status: failure.xhr.status, body: failure.xhr.responseText }),
      ),
    options,
  );
}

describe('privacy in the browser', function () {
  this.timeout(120_000);

  describe('with the as-user restriction off (the default: nothing says Confluence enforces it)', () => {
    let env: BrowserStack;
    before(async () => {
      env = await startBrowserStack({ settings: { KEEPSAKE_CACHE_TTL_SECONDS: 0 } });
      await env.stack.api(alice, 'POST', '/api/bookmarks', { contentId: '65604' });
      await env.stack.api(alice, 'PATCH', '/api/preferences', { viewMode: 'focus' });
      await env.stack.api(alice, 'PUT', '/api/profile', { pronouns: 'she/her', note: 'Release captain' });
    });
    after(async () => env?.close());

    it('shows bob his own state and only alice’s public card', async () => {
      const browser = await env.browserFor(bob);
      const page = await openConfluencePage(browser, env.emulator, ALICES_PAGE);
      const panel = await keepsakeFrame(page, '/panel');
      const card = panel.getByRole('complementary', { name: 'About Alice Anders' });
      assert.match(await card.innerText(), /she\/her[\s\S]*Release captain/);
      assert.equal(await panel.getByRole('radio', { name: 'Comfortable' }).isChecked(), true, 'bob’s view mode, not alice’s focus');
      // The panel embeds bob's own state only (it names no account): alice's bookmark of this page is not his.
      const state = JSON.parse((await panel.locator('#keepsake-state').textContent()) ?? '{}') as PanelState;
      assert.deepEqual([state.viewMode, state.bookmarkCount, state.page.bookmarked], ['comfortable', 0, false]);
      assert.doesNotMatch(await panel.locator('html').innerHTML(), new RegExp(alice), 'alice’s account id is nowhere in bob’s panel');

      const personal = await browser.newPage();
      await personal.goto(`${env.emulator.baseUrl}/wiki/plugins/servlet/ac/keepsake/my-keepsake`);
      const mine = await keepsakeFrame(personal, '/my-keepsake');
      await mine.getByRole('heading', { name: 'Bookmarks (0)' }).waitFor();
      assert.doesNotMatch(await mine.locator('main').innerText(), /Architecture decisions/);
    });

    it('lets bob read alice’s user property with AP.request, and it tells him nothing', async () => {
      const browser = await env.browserFor(bob);
      const panel = await keepsakeFrame(await openConfluencePage(browser, env.emulator, ALICES_PAGE), '/panel');
      const read = await apRequestFromIframe(panel, { url: ALICES_RECORD });
      assert.equal(read.status, 200, 'Confluence lets him read it');
      const value = (JSON.parse(read.body) as { value: Record<string, unknown> }).value;
      assert.deepEqual(Object.keys(value).sort(), ['box', 'k']);
      assert.doesNotMatch(read.body, /Release captain|she\/her|focus|65604|bookmarks|tracking/);
      // Callback-style AP.request (the all.js shim) reaches it the same way.
      const status = await panel.evaluate(`new Promise((resolve) => AP.request({
        url: ${JSON.stringify(ALICES_RECORD)},
        success: function () { resolve(200); },
        error: function (xhr) { resolve(xhr.status); },
      }))`);
      assert.equal(status, 200);
    });

    it('never shows a card bob forged through AP.request; carol sees alice’s last good card, alice is told', async () => {
      const bobsBrowser = await env.browserFor(bob);
      const panel = await keepsakeFrame(await openConfluencePage(bobsBrowser, env.emulator, ALICES_PAGE), '/panel');
      const forged = { profile: { pronouns: 'he/him', note: 'I am bob now' }, seal: 'forged' };
      const put = await apRequestFromIframe(panel, { url: ALICES_RECORD, type: 'PUT', data: JSON.stringify({ value: forged }) });
      assert.equal(put.status, 204);

      const carolsBrowser = await env.browserFor(carol);
      const page = await openConfluencePage(carolsBrowser, env.emulator, ALICES_PAGE);
      const carolsPanel = await keepsakeFrame(page, '/panel');
      const card = carolsPanel.getByRole('complementary', { name: 'About Alice Anders' });
      assert.match(await card.innerText(), /she\/her[\s\S]*Release captain/, 'her last good card');
      assert.doesNotMatch(await card.innerText(), /changed outside Keepsake/, 'nothing another user could watch flip');
      assert.doesNotMatch(await carolsPanel.locator('main').innerText(), /I am bob now|he\/him/);

      const alicesBrowser = await env.browserFor(alice);
      const alicesPage = await openConfluencePage(alicesBrowser, env.emulator, ALICES_PAGE);
      // Her view mode is focus, which hides the card: read what the panel holds.
      const own = await (await keepsakeFrame(alicesPage, '/panel')).locator('aside.ks-card').textContent();
      assert.match(own ?? '', /Your public card\s+Your card was changed outside Keepsake[\s\S]*Release captain/);
      await page.screenshot({ path: join(screenshotsDir(), 'panel-tampered-card.png'), fullPage: true });
    });
  });

  describe('with the as-user restriction switched on', () => {
    let env: BrowserStack;
    before(async () => {
      env = await startBrowserStack({ emulatorSettings: { asUserRestriction: true } });
      await env.stack.api(alice, 'PUT', '/api/profile', { pronouns: 'she/her', note: 'Release captain' });
    });
    after(async () => env?.close());

    it('refuses AP.request on alice’s user properties from bob’s iframe (403)', async () => {
      const browser = await env.browserFor(bob);
      const panel = await keepsakeFrame(await openConfluencePage(browser, env.emulator, ALICES_PAGE), '/panel');
      const read = await apRequestFromIframe(panel, { url: ALICES_RECORD });
      assert.equal(read.status, 403);
      assert.match(read.body, /may not read, change or delete another user's properties/);
      const write = await apRequestFromIframe(panel, {
        url: ALICES_RECORD,
        type: 'PUT',
        data: JSON.stringify({ value: { profile: { note: 'bob was here' } } }),
      });
      assert.equal(write.status, 403);
      const own = await apRequestFromIframe(panel, { url: `/rest/api/user/${encodeURIComponent(bob)}/property/keepsake-main` });
      assert.notEqual(own.status, 403, 'his own properties are his to read');
    });
  });
});
