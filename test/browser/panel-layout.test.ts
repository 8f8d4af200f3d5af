// The panel as a person sees it (issue 12): the owner's "public card" is what everyone sees, an
// owner without one is sent to My Keepsake by a link, a tall card leaves no gaps between the
// controls, Bookmark → Bookmarked moves nothing, the three view modes differ as docs/ui.md
// defines them, and an error flag covers no control of the panel and goes away on the next action.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { SEEDED_USERS } from '../../emulator';
import { keepsakeFrame, openConfluencePage, screenshotsDir, startBrowserStack, type BrowserStack } from './support/browser-stack';
import { readyPanel, settled } from './support/panel';
import { boxOf, controlsUnder, hostFlags, type LayoutGlobals } from './support/layout';

const admin = SEEDED_USERS.admin.accountId;
const alice = SEEDED_USERS.alice.accountId;
const bob = SEEDED_USERS.bob.accountId;
const carol = SEEDED_USERS.carol.accountId;
/** Pages by their authors (emulator/content-seed.ts). */
const ALICES_PAGE = '65602';
const CAROLS_PAGE = '65604';
const ADMINS_PAGE = '65601';

interface SiteSettings {
  profileFields: Record<string, { enabled: boolean; public: boolean }>;
}

/** The panel's height once the iframe has taken it (the host page's iframe, as a person sees it). */
async function panelHeight(page: Page, frame: Frame): Promise<number> {
  await settled(frame);
  const height = await frame.locator('#keepsake-panel').evaluate((e) => Math.ceil(e.getBoundingClientRect().height));
  await page.waitForFunction(
    (h) => (globalThis as unknown as LayoutGlobals).document.querySelector('.web-panel iframe')?.getBoundingClientRect().height === h,
    height,
  );
  return height;
}

describe('The panel’s layout in the browser', function () {
  this.timeout(120_000);
  let env: BrowserStack;
  before(async () => {
    env = await startBrowserStack();
  });
  after(async () => env?.close());
  afterEach(() => assert.deepEqual(env.offMachineRequests, [], 'nothing leaves the machine'));

  it('shows the owner the public card everyone sees: no field the site keeps private, About me with its line breaks', async () => {
    const note = 'Release planning.\nOn call in odd weeks.';
    await env.stack.api(alice, 'PUT', '/api/profile', { pronouns: 'she/her', location: 'Lisbon office', note });
    const before = (await env.stack.api<{ settings: SiteSettings }>(admin, 'GET', '/api/admin/settings')).body.settings;
    const privateLocation = { ...before, profileFields: { ...before.profileFields, location: { enabled: true, public: false } } };
    assert.equal((await env.stack.api(admin, 'PUT', '/api/admin/settings', privateLocation)).status, 200);
    try {
      for (const viewer of [alice, bob]) {
        const page = await openConfluencePage(await env.browserFor(viewer), env.emulator, ALICES_PAGE);
        const panel = await readyPanel(page);
        const card = panel.locator('.ks-card');
        assert.equal(await card.getByRole('heading').innerText(), viewer === alice ? 'Your public card' : 'About Alice Anders');
        assert.deepEqual(await card.locator('dt').allInnerTexts(), ['Pronouns', 'About me'], 'Location is private on this site');
        const about = card.locator('dd').nth(1);
        assert.equal(await about.innerText(), note, 'the line break is kept');
        const lineHeight = await about.evaluate((e) => parseFloat((globalThis as unknown as LayoutGlobals).getComputedStyle(e).lineHeight));
        assert.ok((await boxOf(about)).height >= 2 * lineHeight - 1, 'two lines on screen');
        await page.close();
      }
    } finally {
      await env.stack.api(admin, 'PUT', '/api/admin/settings', before);
    }
  });

  it('links an owner without a public card to My Keepsake', async () => {
    const page = await openConfluencePage(await env.browserFor(carol), env.emulator, CAROLS_PAGE);
    const panel = await readyPanel(page);
    const link = panel.getByRole('link', { name: 'Add a public card in My Keepsake' });
    assert.match((await link.getAttribute('href')) ?? '', /\/wiki\/plugins\/servlet\/ac\/keepsake\/my-keepsake$/);
    await link.click();
    await page.waitForURL(/\/wiki\/plugins\/servlet\/ac\/keepsake\/my-keepsake$/);
    await keepsakeFrame(page, '/my-keepsake');
  });

  it('keeps the controls together beside a tall card: each line follows the one above at the set spacing', async () => {
    await env.stack.api(alice, 'PUT', '/api/profile', {
      pronouns: 'she/her',
      workingHours: '9–17 CET',
      note: 'One.\nTwo.\nThree.\nFour.\nFive.\nSix.\nSeven.\nEight.',
    });
    const page = await openConfluencePage(await env.browserFor(alice), env.emulator, ALICES_PAGE);
    await page.setViewportSize({ width: 760, height: 900 });
    await page.reload();
    const panel = await readyPanel(page);
    const card = await boxOf(panel.locator('.ks-card'));
    const parts = await panel.locator('.ks-controls > *').evaluateAll((elements) =>
      elements.map((e) => {
        const r = e.getBoundingClientRect();
        return { top: r.top, bottom: r.bottom };
      }),
    );
    const rowGap = await panel
      .locator('.ks-controls')
      .evaluate((e) => parseFloat((globalThis as unknown as LayoutGlobals).getComputedStyle(e).rowGap));
    const controlsBottom = Math.max(...parts.map((p) => p.bottom));
    assert.ok(card.height > controlsBottom - parts[0].top + 40, 'the card is the taller column');
    // Each part starts on the line of the part before it, or right below everything above it.
    for (let i = 1; i < parts.length; i++) {
      const above = Math.max(...parts.slice(0, i).map((p) => p.bottom));
      const sameLine = Math.abs(parts[i].top - parts[i - 1].top) < 1;
      assert.ok(
        sameLine || Math.abs(parts[i].top - (above + rowGap)) < 1,
        `part ${i} starts ${parts[i].top - above}px below the line above (the gap is ${rowGap}px)`,
      );
    }
  });

  it('moves nothing when Bookmark becomes Bookmarked', async () => {
    const page = await openConfluencePage(await env.browserFor(bob), env.emulator, ADMINS_PAGE);
    const panel = await readyPanel(page);
    const bookmark = panel.locator('button[data-set="bookmarks"]');
    const watch = panel.locator('button[data-set="watches"]');
    const [bookmarkBefore, watchBefore] = [await boxOf(bookmark), await boxOf(watch)];
    await bookmark.click();
    await settled(panel);
    assert.equal((await bookmark.innerText()).trim(), 'Bookmarked');
    assert.deepEqual(await boxOf(watch), watchBefore, 'Watch stays where it was');
    assert.equal((await boxOf(bookmark)).width, bookmarkBefore.width);
  });

  it('shows three view modes that differ as defined: compact is tighter, focus keeps only this page’s actions and the view mode', async () => {
    await env.stack.api(carol, 'PUT', '/api/profile', { pronouns: 'they/them', workingHours: '10–18 CET' });
    const page = await openConfluencePage(await env.browserFor(carol), env.emulator, CAROLS_PAGE);
    await page.setViewportSize({ width: 1280, height: 900 });
    const panel = await readyPanel(page);
    const heights: Record<string, number> = {};
    for (const mode of ['Comfortable', 'Compact', 'Focus']) {
      await panel.getByRole('radio', { name: mode }).check();
      heights[mode] = await panelHeight(page, panel);
      const legends = await panel.locator('legend').evaluateAll((e) => e.map((l) => l.getBoundingClientRect().height));
      const card = await panel.locator('.ks-card').isVisible();
      const tracking = await panel.getByRole('checkbox', { name: 'Usage analytics' }).isVisible();
      if (mode === 'Comfortable') assert.deepEqual([legends.every((h) => h > 1), card, tracking], [true, true, true]);
      if (mode === 'Compact')
        assert.deepEqual([legends.every((h) => h <= 1), card, tracking], [true, true, true], 'headings hidden, every part kept');
      if (mode === 'Focus') assert.deepEqual([card, tracking], [false, false], 'no card, no tracking');
      // Each group keeps its name for screen readers, shown or not.
      await panel.getByRole('group', { name: 'View mode' }).waitFor();
      await page.screenshot({
        path: join(screenshotsDir(), `panel-${mode.toLowerCase()}.png`),
        clip: await boxOf(page.locator('.web-panels')),
      });
    }
    assert.ok(
      heights.Compact <= heights.Comfortable - 24,
      `compact (${heights.Compact}px) is clearly tighter than comfortable (${heights.Comfortable}px)`,
    );
    assert.ok(heights.Focus < heights.Compact, `focus (${heights.Focus}px) is smaller than compact (${heights.Compact}px)`);
    await panel.getByRole('radio', { name: 'Comfortable' }).check();
    await settled(panel);
  });

  it('shows an error flag where it covers no control of the panel, and closes it at the next action', async () => {
    const browser = await env.browserFor(bob);
    const page = await openConfluencePage(browser, env.emulator, '65603');
    await page.setViewportSize({ width: 1280, height: 900 });
    const panel = await readyPanel(page);
    await browser.route('**/api/bookmarks', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({ code: 'CONFLUENCE_UNAVAILABLE', message: 'Confluence did not answer in time. Try again.' }),
      }),
    );
    await panel.getByRole('button', { name: 'Bookmark', exact: true }).click();
    const flag = hostFlags(page).filter({ hasText: 'Keepsake could not change the bookmark' });
    await flag.waitFor();
    await settled(panel);
    assert.deepEqual(await controlsUnder(panel, await boxOf(flag)), [], 'no control of the panel is under the flag');
    await page.screenshot({ path: join(screenshotsDir(), 'panel-error-flag.png') });
    // The next action closes it: nothing waits for the person to close it by hand.
    await panel.getByRole('button', { name: 'Watch', exact: true }).click();
    await flag.waitFor({ state: 'detached' });
    await settled(panel);
  });
});
