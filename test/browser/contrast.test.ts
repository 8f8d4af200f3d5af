// Contrast at WCAG AA (4.5:1 for text) in the panel, My Keepsake and the admin page, as axe-core
// measures it in Chromium — at rest and in the states a person brings about: hover, keyboard
// focus, busy (a change waiting for the server) and disabled. The axe helper (support/axe.ts)
// runs in whatever state the page is in, so a theme's test can reuse it.
import assert from 'node:assert/strict';
import type { Frame, Page } from 'playwright-core';
import { SEEDED_USERS } from '../../emulator';
import { assertContrast } from './support/axe';
import { keepsakeFrame, openConfluencePage, startBrowserStack, type BrowserStack } from './support/browser-stack';
import { readyPanel, settled } from './support/panel';

const admin = SEEDED_USERS.admin.accountId;
const alice = SEEDED_USERS.alice.accountId;
const bob = SEEDED_USERS.bob.accountId;

describe('Contrast of the iframes in every state (axe-core)', function () {
  this.timeout(120_000);
  let env: BrowserStack;
  before(async () => {
    env = await startBrowserStack();
    await env.stack.api(alice, 'PUT', '/api/profile', { pronouns: 'she/her', note: 'Release planning.' });
    await env.stack.api(alice, 'POST', '/api/bookmarks', { contentId: '65602' });
  });
  after(async () => env?.close());
  afterEach(() => assert.deepEqual(env.offMachineRequests, [], 'nothing leaves the machine'));

  /** Holds every request to `pattern` until the returned function is called: the control stays busy meanwhile. */
  async function holdRequests(page: Page, pattern: string): Promise<() => void> {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route(pattern, async (route) => {
      await released;
      await route.continue();
    });
    return release;
  }

  async function panelOf(accountId: string, pageId: string): Promise<{ page: Page; panel: Frame }> {
    const page = await openConfluencePage(await env.browserFor(accountId), env.emulator, pageId);
    const panel = await readyPanel(page);
    return { page, panel };
  }

  it('the panel: at rest, Hide hovered, Bookmarked focused and busy, Show hovered', async () => {
    const { page, panel } = await panelOf(alice, '65602');
    await assertContrast(panel, 'at rest');
    await panel.getByRole('button', { name: 'Hide' }).hover();
    await assertContrast(panel, 'Hide hovered', '#ks-collapse');
    const bookmarked = panel.getByRole('button', { name: 'Bookmarked' });
    await bookmarked.focus();
    await assertContrast(panel, 'Bookmarked focused', 'button[data-set="bookmarks"]');
    // Busy: the change waits for the server while axe looks (Bookmarked → Bookmark, then a hover on it).
    const release = await holdRequests(page, '**/api/bookmarks/**');
    await bookmarked.click();
    const busy = panel.locator('button[data-set="bookmarks"][aria-busy="true"]');
    await busy.waitFor();
    await assertContrast(panel, 'Bookmark busy and hovered', 'button[data-set="bookmarks"]');
    await page.mouse.move(0, 0);
    await assertContrast(panel, 'Bookmark busy', 'button[data-set="bookmarks"]');
    release();
    await settled(panel);
    // Watching (pressed) while busy: the state whose text fell to 2.82:1 when dimmed.
    const releaseWatch = await holdRequests(page, '**/api/watches');
    await panel.getByRole('button', { name: 'Watch', exact: true }).click();
    await panel.locator('button[data-set="watches"][aria-busy="true"][aria-pressed="true"]').waitFor();
    await assertContrast(panel, 'Watching busy', 'button[data-set="watches"]');
    releaseWatch();
    await settled(panel);
    await panel.getByRole('button', { name: 'Hide' }).click();
    await panel.getByRole('button', { name: 'Show' }).hover();
    await assertContrast(panel, 'Show hovered');
    await panel.getByRole('button', { name: 'Show' }).click();
    await settled(panel);
  });

  it('the panel in compact and focus', async () => {
    const { panel } = await panelOf(bob, '65602');
    for (const mode of ['Compact', 'Focus', 'Comfortable']) {
      await panel.getByRole('radio', { name: mode }).check();
      await settled(panel);
      await assertContrast(panel, mode);
    }
  });

  it('My Keepsake: at rest, Remove hovered, Save focused, Save busy (disabled)', async () => {
    await env.stack.api(alice, 'POST', '/api/bookmarks', { contentId: '65606' });
    const page = await (await env.browserFor(alice)).newPage();
    await page.goto(`${env.emulator.baseUrl}/wiki/plugins/servlet/ac/keepsake/my-keepsake`);
    const mine = await keepsakeFrame(page, '/my-keepsake');
    await mine.locator('main').waitFor();
    await assertContrast(mine, 'at rest');
    await mine
      .getByRole('button', { name: /^Remove bookmark/ })
      .first()
      .hover();
    await assertContrast(mine, 'Remove hovered', '#ks-bookmarks');
    const save = mine.getByRole('button', { name: 'Save profile card' });
    await save.focus();
    await assertContrast(mine, 'Save focused', '#ks-profile-form');
    const release = await holdRequests(page, '**/api/profile');
    await save.click();
    await mine.locator('#ks-profile-form button[disabled]').waitFor();
    await assertContrast(mine, 'Save busy');
    release();
  });

  it('the admin page: at rest, Save hovered, a disabled Public box, Run now busy', async () => {
    const page = await (await env.browserFor(admin)).newPage();
    await page.goto(`${env.emulator.baseUrl}/wiki/plugins/servlet/ac/keepsake/keepsake-admin`);
    const settings = await keepsakeFrame(page, '/admin');
    await settings.locator('main').waitFor();
    await assertContrast(settings, 'at rest');
    await settings.getByRole('button', { name: 'Save settings' }).hover();
    await assertContrast(settings, 'Save hovered', 'form');
    await settings.getByRole('checkbox', { name: 'Pronouns enabled' }).uncheck();
    await assertContrast(settings, 'a field disabled', 'table');
    await settings.getByRole('checkbox', { name: 'Pronouns enabled' }).check();
    const release = await holdRequests(page, '**/api/admin/personal-data/report');
    await settings.getByRole('button', { name: 'Run now' }).click();
    await settings.locator('#ks-pd-run[aria-busy="true"]').waitFor();
    await assertContrast(settings, 'Run now busy', '#ks-personal-data');
    await settings.getByRole('button', { name: 'Refresh figures' }).hover();
    await assertContrast(settings, 'Refresh figures hovered', '#ks-refresh-stats');
    release();
  });
});
