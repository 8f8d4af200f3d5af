// Bob in his own browser, next to alice's data (issue 4, section 4): the UI shows him only his
// own state and her public card; AP.request on her user properties is refused while the
// as-user restriction is on; with it off, what he changes is flagged and never shown as hers.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { SEEDED_USERS } from '../../emulator';
import type { PageGlobals } from './support/page-globals';
import { keepsakeFrame, openConfluencePage, screenshotsDir, startBrowserStack, type BrowserStack } from './support/browser-stack';

const alice = SEEDED_USERS.alice.accountId;
const bob = SEEDED_USERS.bob.accountId;
const carol = SEEDED_USERS.carol.accountId;
const ALICES_RECORD = `/rest/api/user/${encodeURIComponent(alice)}/property/keepsake-main`;
/** A page alice wrote (content-seed.ts). */
const ALICES_PAGE = '65602';

/** Runs AP.request inside the iframe, as that iframe's user; answers the HTTP status and body. */
function apRequestFromIframe(frame: Frame, options: { url: string; type?: string; data?: string }): Promise<{ status: number; body: string }> {
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

  describe('with the as-user restriction on (the default)', () => {
    let env: BrowserStack;
    before(async () => {
      env = await startBrowserStack();
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
      assert.equal(await panel.locator('#keepsake-state').textContent().then((t) => JSON.parse(t ?? '{}').accountId), bob);

      const personal = await browser.newPage();
      await personal.goto(`${env.emulator.baseUrl}/wiki/plugins/servlet/ac/keepsake/my-keepsake`);
      const mine = await keepsakeFrame(personal, '/my-keepsake');
      await mine.getByRole('heading', { name: 'Bookmarks (0)' }).waitFor();
      assert.doesNotMatch(await mine.locator('main').innerText(), /Architecture decisions/);
    });

    it('refuses AP.request on alice’s user properties from bob’s iframe (403)', async () => {
      const browser = await env.browserFor(bob);
      const panel = await keepsakeFrame(await openConfluencePage(browser, env.emulator, ALICES_PAGE), '/panel');
      const read = await apRequestFromIframe(panel, { url: ALICES_RECORD });
      assert.equal(read.status, 403);
      assert.match(read.body, /may not read, change or delete another user's properties/);
      const write = await apRequestFromIframe(panel, { url: ALICES_RECORD, type: 'PUT', data: JSON.stringify({ value: { profile: { note: 'bob was here' } } }) });
      assert.equal(write.status, 403);
      const own = await apRequestFromIframe(panel, { url: `/rest/api/user/${encodeURIComponent(bob)}/property/keepsake-main` });
      assert.notEqual(own.status, 403, 'his own properties are his to read');
    });

    it('supports callback-style AP.request (the all.js shim)', async () => {
      const browser = await env.browserFor(bob);
      const panel = await keepsakeFrame(await openConfluencePage(browser, env.emulator, ALICES_PAGE), '/panel');
      // A string, so the bundler of the test cannot rename the callbacks inside the page.
      const status = await panel.evaluate(`new Promise((resolve) => AP.request({
        url: ${JSON.stringify(ALICES_RECORD)},
        success: function () { resolve(200); },
        error: function (xhr) { resolve(xhr.status); },
      }))`);
      assert.equal(status, 403);
    });
  });

  describe('with the as-user restriction off (the community thread)', () => {
    let env: BrowserStack;
    before(async () => {
      env = await startBrowserStack({ emulatorSettings: { asUserRestriction: false }, settings: { KEEPSAKE_CACHE_TTL_SECONDS: 0 } });
      await env.stack.api(alice, 'PUT', '/api/profile', { pronouns: 'she/her', note: 'Release captain' });
    });
    after(async () => env?.close());

    it('flags the card bob forged through AP.request and never shows it as alice’s', async () => {
      const bobsBrowser = await env.browserFor(bob);
      const panel = await keepsakeFrame(await openConfluencePage(bobsBrowser, env.emulator, ALICES_PAGE), '/panel');
      const original = await apRequestFromIframe(panel, { url: ALICES_RECORD });
      assert.equal(original.status, 200, 'the restriction is off: bob can read it');
      const forged = { ...(JSON.parse(original.body) as { value: object }).value, profile: { pronouns: 'he/him', note: 'I am bob now' } };
      const put = await apRequestFromIframe(panel, { url: ALICES_RECORD, type: 'PUT', data: JSON.stringify({ value: forged }) });
      assert.equal(put.status, 204);

      const carolsBrowser = await env.browserFor(carol);
      const page = await openConfluencePage(carolsBrowser, env.emulator, ALICES_PAGE);
      const carolsPanel = await keepsakeFrame(page, '/panel');
      const card = carolsPanel.getByRole('complementary', { name: 'About Alice Anders' });
      assert.match(await card.innerText(), /changed outside Keepsake, so it is not shown as Alice Anders’s/);
      assert.doesNotMatch(await carolsPanel.locator('main').innerText(), /I am bob now|he\/him/);
      await page.screenshot({ path: join(screenshotsDir(), 'panel-tampered-card.png'), fullPage: true });
    });
  });
});
