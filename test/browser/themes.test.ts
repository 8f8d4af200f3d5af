// Keepsake's iframes in Confluence's light and dark themes (issue 12): the emulated Confluence
// is switched to a theme as a person would (the header's theme switch), Atlassian's Connect JS
// hands it to the iframes that call AP.theming.initializeTheming(), and each iframe — the panel,
// My Keepsake, the admin page — shows the theme's colours with text at WCAG AA contrast (axe-core)
// at rest, hovered, focused, busy and disabled. "Match system" follows the system's preference,
// also when it changes while the page is open. Screenshots of the dark theme are written.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { BrowserContext, Frame, Page } from 'playwright-core';
import { SEEDED_USERS } from '../../emulator';
import { assertContrast } from './support/axe';
import { keepsakeFrame, openConfluencePage, screenshotsDir, startBrowserStack, type BrowserStack } from './support/browser-stack';
import { settled } from './support/panel';

const admin = SEEDED_USERS.admin.accountId;
const alice = SEEDED_USERS.alice.accountId;

type ColorMode = 'light' | 'dark';
const COLOR_MODES: ColorMode[] = ['light', 'dark'];

interface PageGlobals {
  document: { documentElement: unknown; body: unknown };
  getComputedStyle(element: unknown): { backgroundColor: string };
}

/** WCAG's relative luminance of a computed `rgb(…)`/`rgba(…)` colour: 0 is black, 1 white. */
function luminance(rgb: string): number {
  const [r, g, b] = (rgb.match(/[\d.]+/g) ?? []).slice(0, 3).map((c) => {
    const s = Number(c) / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

async function bodyBackground(frame: Frame): Promise<string> {
  return frame.evaluate(() => {
    const page = globalThis as unknown as PageGlobals;
    return page.getComputedStyle(page.document.body).backgroundColor;
  });
}

/**
 * Keepsake's iframe at `path`, once Connect JS has applied the host's theme to it: its <html>
 * carries the mode, and all.js has added the theme's token stylesheet (it does so only after
 * the page asked for theming, so this holds for the light theme as well).
 */
async function themedFrame(page: Page, path: '/panel' | '/my-keepsake' | '/admin', mode: ColorMode): Promise<Frame> {
  const frame = await keepsakeFrame(page, path);
  await frame
    .locator(`html[data-color-mode="${mode}"][data-theme~="${mode}:${mode}"] link[data-theme="${mode}"]`)
    .waitFor({ state: 'attached' });
  return frame;
}

/** Requests to `path` wait until released: the control that sent one stays busy meanwhile. */
async function holdRequests(page: Page, path: string): Promise<() => Promise<void>> {
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const pattern = `**${path}`;
  const continued: Promise<void>[] = [];
  await page.route(pattern, (route) => {
    const sent = released.then(() => route.continue());
    continued.push(sent);
    return sent;
  });
  return async () => {
    release();
    // Unrouting before a held request has gone on would fail it (and the panel would show an error).
    await Promise.all(continued);
    await page.unroute(pattern);
  };
}

describe('Themes: Keepsake’s iframes follow Confluence’s light and dark theme', function () {
  this.timeout(180_000);
  let env: BrowserStack;
  before(async () => {
    env = await startBrowserStack();
    for (const contentId of ['65602', '65604']) await env.stack.api(alice, 'POST', '/api/bookmarks', { contentId });
    await env.stack.api(alice, 'POST', '/api/watches', { contentId: '65603' });
    await env.stack.api(alice, 'PUT', '/api/profile', { pronouns: 'she/her', workingHours: '9–17 CET' });
  });
  after(async () => env?.close());
  afterEach(() => assert.deepEqual(env.offMachineRequests, [], 'nothing leaves the machine'));

  /** A browser of `accountId` with the emulated site's theme set the way a person sets it. */
  async function browserIn(accountId: string, colorMode: ColorMode | 'auto'): Promise<BrowserContext> {
    const browser = await env.browserFor(accountId);
    const page = await browser.newPage();
    await page.goto(`${env.emulator.baseUrl}/wiki/`);
    await page.getByLabel('Theme').selectOption(colorMode);
    await page.getByRole('button', { name: 'Apply theme' }).click();
    await page.waitForURL(`${env.emulator.baseUrl}/wiki/`);
    assert.equal(await page.getByLabel('Theme').inputValue(), colorMode, 'the switch shows the choice');
    await page.close();
    return browser;
  }

  async function assertThemed(page: Page, frame: Frame, mode: ColorMode): Promise<void> {
    assert.equal(await page.locator('html').getAttribute('data-color-mode'), mode, 'the host page is in the theme');
    const background = luminance(await bodyBackground(frame));
    if (mode === 'dark') assert.ok(background < 0.05, `a dark background, luminance ${background}`);
    else assert.ok(background > 0.9, `a light background, luminance ${background}`);
    // all.js loads the theme's tokens from where it came from (the emulator, as Atlassian's CDN
    // serves both), and the page's policy lets it: no refused stylesheet, no console error.
    const link = frame.locator(`link[data-theme="${mode}"]`);
    assert.equal(await link.getAttribute('href'), `${env.emulator.baseUrl}/themes/atlaskit-tokens_${mode}.css`);
    const applied = await link.evaluate(
      (element) =>
        new Promise<boolean>((resolve) => {
          const sheet = element as unknown as { sheet: unknown; addEventListener(type: string, listener: () => void): void };
          if (sheet.sheet) return resolve(true);
          sheet.addEventListener('load', () => resolve(true));
          sheet.addEventListener('error', () => resolve(false));
        }),
    );
    assert.ok(applied, 'the token stylesheet is allowed by the page’s policy and applied');
  }

  for (const mode of COLOR_MODES) {
    it(`the panel in the ${mode} theme: its colours, and AA contrast at rest, hovered, focused, busy and pressed`, async () => {
      const page = await openConfluencePage(await browserIn(alice, mode), env.emulator, '65601');
      const panel = await themedFrame(page, '/panel', mode);
      await panel.locator('#keepsake-panel[data-migration]').waitFor();
      await assertThemed(page, panel, mode);
      await assertContrast(panel, `panel, ${mode}, at rest`);

      const bookmark = panel.locator('button[data-set="bookmarks"]');
      await bookmark.hover();
      await assertContrast(panel, `panel, ${mode}, Bookmark hovered`);
      await panel.locator('#ks-collapse').hover();
      await assertContrast(panel, `panel, ${mode}, Hide hovered`);
      await panel.getByRole('radio', { name: 'Compact' }).focus();
      await assertContrast(panel, `panel, ${mode}, a view mode focused`);

      const release = await holdRequests(page, '/api/bookmarks');
      await bookmark.click();
      await panel.locator('button[data-set="bookmarks"][aria-busy="true"]').waitFor();
      await assertContrast(panel, `panel, ${mode}, Bookmark busy`);
      await release();
      await settled(panel);
      assert.equal(await bookmark.getAttribute('aria-pressed'), 'true');
      await page.mouse.move(0, 0);
      await assertContrast(panel, `panel, ${mode}, Bookmark pressed`);
      if (mode === 'dark') await page.screenshot({ path: join(screenshotsDir(), 'panel-dark.png'), fullPage: true });
      await bookmark.click();
      await settled(panel);
    });

    it(`My Keepsake in the ${mode} theme: its colours, and AA contrast at rest, hovered, focused, saving (disabled) and confirming a delete`, async () => {
      const page = await (await browserIn(alice, mode)).newPage();
      await page.goto(`${env.emulator.baseUrl}/wiki/plugins/servlet/ac/keepsake/my-keepsake`);
      const mine = await themedFrame(page, '/my-keepsake', mode);
      await mine.getByRole('heading', { name: 'Bookmarks (2)' }).waitFor();
      await assertThemed(page, mine, mode);
      await assertContrast(mine, `My Keepsake, ${mode}, at rest`);
      if (mode === 'dark') await page.screenshot({ path: join(screenshotsDir(), 'my-keepsake-dark.png'), fullPage: true });

      await mine
        .getByRole('button', { name: /^Remove bookmark/ })
        .first()
        .hover();
      await assertContrast(mine, `My Keepsake, ${mode}, Remove hovered`);
      await mine.getByRole('button', { name: 'Save profile card' }).hover();
      await assertContrast(mine, `My Keepsake, ${mode}, Save profile card hovered`);
      await mine.getByLabel('Pronouns').focus();
      await assertContrast(mine, `My Keepsake, ${mode}, a field focused`);

      const release = await holdRequests(page, '/api/profile');
      await mine.getByRole('button', { name: 'Save profile card' }).click();
      await mine.locator('button.ks-primary:disabled').waitFor();
      await assertContrast(mine, `My Keepsake, ${mode}, saving (Save disabled)`);
      await release();
      await mine.locator('button.ks-primary:enabled').waitFor();

      await mine.getByRole('button', { name: 'Delete my data…' }).click();
      await mine.getByRole('button', { name: 'Delete everything' }).hover();
      await assertContrast(mine, `My Keepsake, ${mode}, delete confirmation, Delete everything hovered`);
      await mine.getByRole('button', { name: 'Cancel' }).click();
    });

    it(`the admin page in the ${mode} theme: its colours, and AA contrast at rest, hovered, focused, disabled and busy`, async () => {
      const page = await (await browserIn(admin, mode)).newPage();
      await page.goto(`${env.emulator.baseUrl}/wiki/plugins/servlet/ac/keepsake/keepsake-admin`);
      const settings = await themedFrame(page, '/admin', mode);
      await settings.getByRole('heading', { name: 'Keepsake settings' }).waitFor();
      await assertThemed(page, settings, mode);
      await assertContrast(settings, `admin, ${mode}, at rest`);
      if (mode === 'dark') await page.screenshot({ path: join(screenshotsDir(), 'admin-dark.png'), fullPage: true });

      await settings.getByRole('button', { name: 'Save settings' }).hover();
      await assertContrast(settings, `admin, ${mode}, Save settings hovered`);
      await settings.getByLabel('Where preferences live').focus();
      await assertContrast(settings, `admin, ${mode}, a select focused`);

      // A field switched off: its Public box is disabled.
      const enabled = settings.locator('tr[data-profile-field] input[name$="-enabled"]').first();
      await enabled.uncheck();
      await settings.locator('tr[data-profile-field] input[name$="-public"]:disabled').first().waitFor();
      await assertContrast(settings, `admin, ${mode}, a Public box disabled`);
      await enabled.check();

      const releaseRun = await holdRequests(page, '/api/admin/personal-data/report');
      await settings.getByRole('button', { name: 'Run now' }).click();
      await settings.locator('#ks-pd-run[aria-busy="true"]').waitFor();
      await assertContrast(settings, `admin, ${mode}, Run now busy`);
      await releaseRun();
      await settings.locator('#ks-pd-run:not([aria-busy])').waitFor();

      const releaseSave = await holdRequests(page, '/api/admin/settings');
      await settings.getByRole('button', { name: 'Save settings' }).click();
      await settings.locator('button.ks-primary:disabled').waitFor();
      await assertContrast(settings, `admin, ${mode}, saving (Save disabled)`);
      await releaseSave();
      await settings.locator('button.ks-primary:enabled').waitFor();
    });
  }

  it('"Match system" follows the system’s preference, and its change reaches an open iframe', async () => {
    const page = await (await browserIn(alice, 'auto')).newPage();
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(`${env.emulator.baseUrl}/wiki/spaces/ENG/pages/65602`);
    const panel = await themedFrame(page, '/panel', 'light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await panel.locator('html[data-color-mode="dark"]').waitFor({ state: 'attached' });
    assert.equal(await page.locator('html').getAttribute('data-color-mode'), 'dark');
    assert.ok(luminance(await bodyBackground(panel)) < 0.05, 'the panel turned dark without a reload');
    await page.emulateMedia({ colorScheme: 'light' });
    await panel.locator('html[data-color-mode="light"]').waitFor({ state: 'attached' });
  });

  it('the emulator: its theme switch refuses a theme that does not exist; it serves the tokens all.js asks for', async () => {
    const reply = await env.stack.control<{ statusCode: number; message: string }>('GET', '/theme?colorMode=sepia');
    assert.equal(reply.status, 400);
    assert.match(reply.body.message, /colorMode must be one of light, dark, auto/);
    const tokens = await fetch(`${env.emulator.baseUrl}/themes/atlaskit-tokens_dark.css`);
    assert.equal(tokens.status, 200);
    assert.match(tokens.headers.get('content-type') ?? '', /^text\/css/);
    assert.match(await tokens.text(), /html\[data-color-mode="dark"\]\[data-theme~="dark:dark"\][\s\S]*--ds-surface:/);
  });
});
