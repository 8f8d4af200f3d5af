// The admin page and My Keepsake as a person sees them at 1280×900 (issue 12): each iframe is
// as tall as its content, so only the host page scrolls; flags cover neither Save nor Refresh
// figures and go away by themselves (an error at the next action); the page speaks in words,
// not identifiers; a disabled profile field's Public box is off limits.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { SEEDED_USERS } from '../../emulator';
import { keepsakeFrame, screenshotsDir, startBrowserStack, type BrowserStack } from './support/browser-stack';
import { boxOf, controlsUnder, hostFlags, overlaps } from './support/layout';

const admin = SEEDED_USERS.admin.accountId;
const alice = SEEDED_USERS.alice.accountId;

interface ScrollGlobals {
  innerHeight: number;
  document: { documentElement: { scrollHeight: number; clientHeight: number }; body: { getBoundingClientRect(): { height: number } } };
}

/** How far a document can scroll inside its own window (0: it shows all of itself). */
async function ownScroll(frame: Frame): Promise<number> {
  return frame.evaluate(() => {
    const { document } = globalThis as unknown as ScrollGlobals;
    return document.documentElement.scrollHeight - document.documentElement.clientHeight;
  });
}

describe('The admin page and My Keepsake in a 1280×900 window', function () {
  this.timeout(120_000);
  let env: BrowserStack;
  before(async () => {
    env = await startBrowserStack();
    // Figures for the chart: a cookie cut off, and a tracking cookie partly unreadable.
    await env.stack.api(alice, 'POST', '/api/migrations/cookies', {
      cookies: {
        keepsake_bookmarks: '[{"id":"65606","title":"Holiday calendar"},{"id":"656',
        keepsake_tracking: 'analytics:1,productEmails:maybe',
      },
    });
  });
  after(async () => env?.close());
  afterEach(() => assert.deepEqual(env.offMachineRequests, [], 'nothing leaves the machine'));

  async function open(accountId: string, moduleKey: string, path: '/admin' | '/my-keepsake'): Promise<{ page: Page; frame: Frame }> {
    const page = await (await env.browserFor(accountId)).newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${env.emulator.baseUrl}/wiki/plugins/servlet/ac/keepsake/${moduleKey}`);
    const frame = await keepsakeFrame(page, path);
    await frame.locator('main').waitFor();
    return { page, frame };
  }

  /** Waits until the iframe has taken its content's height (AP.resize), then says how far each document scrolls. */
  async function scrolls(page: Page, frame: Frame): Promise<{ iframe: number; host: number }> {
    const content = await frame.evaluate(() =>
      Math.ceil((globalThis as unknown as ScrollGlobals).document.body.getBoundingClientRect().height),
    );
    const iframe = page.locator('#app-page iframe');
    await page.waitForFunction(
      (h) =>
        Math.round(
          (globalThis as unknown as { document: { querySelector(s: string): { getBoundingClientRect(): { height: number } } } }).document
            .querySelector('#app-page iframe')
            .getBoundingClientRect().height,
        ) === h,
      content,
    );
    assert.equal((await boxOf(iframe)).height, content);
    return { iframe: await ownScroll(frame), host: await ownScroll(page.mainFrame()) };
  }

  it('sizes the admin page to its content: the host page scrolls, the iframe does not', async () => {
    const { page, frame } = await open(admin, 'keepsake-admin', '/admin');
    const { iframe, host } = await scrolls(page, frame);
    assert.equal(iframe, 0, 'no scroll bar inside the iframe');
    assert.ok(host > 0, 'the host page scrolls to the end of the settings');
    await page.screenshot({ path: join(screenshotsDir(), 'admin-sized-to-content.png'), fullPage: true });
  });

  it('sizes My Keepsake to its content', async () => {
    const { page, frame } = await open(alice, 'my-keepsake', '/my-keepsake');
    assert.equal((await scrolls(page, frame)).iframe, 0);
  });

  it('speaks in words: storage choices, acting as the user and the chart’s reasons, explained', async () => {
    const { frame } = await open(admin, 'keepsake-admin', '/admin');
    const options = await frame.getByLabel('Where preferences live').locator('option').allInnerTexts();
    assert.deepEqual(options, ['Automatic (user properties when the site allows them)', 'User properties (recommended)', 'App properties']);
    await frame.getByRole('checkbox', { name: 'Read and write each person’s data as that person' }).waitFor();
    assert.deepEqual((await frame.locator('#ks-reasons .ks-bar-label').allInnerTexts()).sort(), ['Cut off', 'Partly unreadable']);
    assert.match(await frame.locator('#ks-reasons-about').innerText(), /tracking choice that is not on or off/);
    const text = await frame.locator('main').innerText();
    for (const identifier of ['ACT_AS_USER', 'user-properties', 'app-properties', 'INVALID_ENTRY', 'TRUNCATED', 'MALFORMED']) {
      assert.doesNotMatch(text, new RegExp(identifier), `no ${identifier} on the page`);
    }
  });

  it('takes the Public box of a disabled field out of use, and gives it back when the field is enabled', async () => {
    const { frame } = await open(admin, 'keepsake-admin', '/admin');
    const enabled = frame.getByRole('checkbox', { name: 'Location enabled' });
    const isPublic = frame.getByRole('checkbox', { name: 'Location public' });
    await enabled.uncheck();
    assert.equal(await isPublic.isDisabled(), true);
    await frame.getByRole('button', { name: 'Save settings' }).click();
    await frame.locator('button[type="submit"]:not([disabled])').waitFor();
    const reloaded = await open(admin, 'keepsake-admin', '/admin');
    assert.equal(
      await reloaded.frame.getByRole('checkbox', { name: 'Location public' }).isDisabled(),
      true,
      'rendered so by the server too',
    );
    await reloaded.frame.getByRole('checkbox', { name: 'Location enabled' }).check();
    assert.equal(await reloaded.frame.getByRole('checkbox', { name: 'Location public' }).isEnabled(), true);
    await reloaded.frame.getByRole('button', { name: 'Save settings' }).click();
    await reloaded.frame.locator('button[type="submit"]:not([disabled])').waitFor();
  });

  it('shows flags where they cover neither Save nor Refresh figures, and they go away by themselves', async () => {
    const { page, frame } = await open(admin, 'keepsake-admin', '/admin');
    const save = frame.getByRole('button', { name: 'Save settings' });
    const refresh = frame.getByRole('button', { name: 'Refresh figures' });
    await save.click();
    const saved = hostFlags(page).filter({ hasText: 'Settings saved' });
    await saved.waitFor();
    const flag = await boxOf(saved);
    await page.screenshot({ path: join(screenshotsDir(), 'admin-flag.png') });
    assert.equal(overlaps(flag, await boxOf(save)), false, 'Save is not under the flag');
    await refresh.scrollIntoViewIfNeeded();
    assert.equal(overlaps(await boxOf(saved), await boxOf(refresh)), false, 'Refresh figures is not under the flag');
    assert.deepEqual(await controlsUnder(frame, await boxOf(saved)), []);
    // A success flag closes itself (close: 'auto'; Confluence's flags close after 8 seconds).
    await saved.waitFor({ state: 'detached', timeout: 15_000 });

    // An error stays until the next action, which closes it (or until its time is up).
    await page.route('**/api/admin/settings', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({ code: 'CONFLUENCE_UNAVAILABLE', message: 'Confluence did not answer in time. Try again.' }),
      }),
    );
    await save.click();
    const failed = hostFlags(page).filter({ hasText: 'Keepsake could not save the settings' });
    await failed.waitFor();
    assert.equal(overlaps(await boxOf(failed), await boxOf(save)), false, 'Save can be clicked again at once');
    await refresh.click();
    await failed.waitFor({ state: 'detached' });
  });

  it('shows My Keepsake’s flag where it does not cover Save profile card', async () => {
    const { page, frame } = await open(alice, 'my-keepsake', '/my-keepsake');
    const save = frame.getByRole('button', { name: 'Save profile card' });
    await save.click();
    const saved = hostFlags(page).filter({ hasText: 'Profile card saved' });
    await saved.waitFor();
    assert.equal(overlaps(await boxOf(saved), await boxOf(save)), false);
  });
});
