// My Keepsake and the admin configuration page in the browser (issue 4, sections 2 and 4):
// the personal page lists pages from every browser and navigates Confluence; the configure
// page refuses a user who is not an admin, in Confluence and in Keepsake; the admin sees the
// migration figures. Screenshots of both pages are written for a person to look at.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SEEDED_USERS } from '../../emulator';
import { keepsakeFrame, screenshotsDir, startBrowserStack, type BrowserStack } from './support/browser-stack';
import { ids, storedPreferences } from './support/keepsake-data';

const admin = SEEDED_USERS.admin.accountId;
const alice = SEEDED_USERS.alice.accountId;
const bob = SEEDED_USERS.bob.accountId;
const carol = SEEDED_USERS.carol.accountId;

describe('My Keepsake and the admin page in the browser', function () {
  this.timeout(120_000);
  let env: BrowserStack;
  before(async () => {
    env = await startBrowserStack();
    // Two browsers' worth of legacy values for alice, one of them cut short; one for bob.
    await env.stack.api(alice, 'POST', '/api/migrations/cookies', {
      cookies: { keepsake_bookmarks: '65602,65604', keepsake_view_mode: 'compact' },
    });
    await env.stack.api(alice, 'POST', '/api/migrations/cookies', {
      cookies: { keepsake_bookmarks: '[{"id":"65606","title":"Holiday calendar"},{"id":"656', keepsake_watches: '65603' },
    });
    await env.stack.api(bob, 'POST', '/api/migrations/cookies', { cookies: { keepsake_tracking: 'analytics:maybe' } });
    await env.stack.api(alice, 'PUT', '/api/profile', { pronouns: 'she/her', workingHours: '9–17 CET' });
  });
  after(async () => env?.close());
  afterEach(() => assert.deepEqual(env.offMachineRequests, [], 'nothing leaves the machine'));

  it('lists alice’s bookmarks and watches from every browser, with links that move Confluence', async () => {
    const browser = await env.browserFor(alice);
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1200, height: 1200 });
    await page.goto(`${env.emulator.baseUrl}/wiki/plugins/servlet/ac/keepsake/my-keepsake`);
    const mine = await keepsakeFrame(page, '/my-keepsake');
    await mine.getByRole('heading', { name: 'Bookmarks (3)' }).waitFor();
    const bookmarks = mine.locator('#ks-bookmarks');
    // Newest first; the two from one cookie were added at the same time, so the higher page id first.
    assert.deepEqual(await bookmarks.getByRole('link').allInnerTexts(), [
      'Holiday calendar',
      'Architecture decisions',
      'Release checklist',
    ]);
    assert.equal(await mine.getByRole('button', { name: 'Show more bookmarks' }).isVisible(), false, 'one page holds them all');
    assert.deepEqual(await mine.locator('#ks-watches').getByRole('link').allInnerTexts(), ['On-call runbook']);
    assert.match(await mine.locator('#ks-privacy').innerText(), /What is private[\s\S]*What is public/);
    assert.equal(await mine.getByLabel('Pronouns').inputValue(), 'she/her');
    await page.screenshot({ path: join(screenshotsDir(), 'my-keepsake.png'), fullPage: true });

    await mine.getByRole('button', { name: 'Remove bookmark Holiday calendar' }).click();
    await mine.getByRole('heading', { name: 'Bookmarks (2)' }).waitFor();
    assert.deepEqual(ids((await storedPreferences(env.stack, alice)).bookmarks), ['65602', '65604']);

    await mine.getByLabel('Working hours').fill('8–16 CET');
    await mine.getByRole('button', { name: 'Save profile card' }).click();
    await page.locator('#emulator-flags [role="status"]', { hasText: 'Profile card saved' }).waitFor();
    assert.equal((await storedPreferences(env.stack, alice)).profile?.workingHours, '8–16 CET');

    // A Ctrl-click is the browser's (a new tab), not a move of this Confluence tab.
    const hostUrl = page.url();
    const newTab = browser.waitForEvent('page');
    await bookmarks.getByRole('link', { name: 'Release checklist' }).click({ modifiers: ['Control'] });
    await (await newTab).close();
    assert.equal(page.url(), hostUrl);

    await bookmarks.getByRole('link', { name: 'Architecture decisions' }).click();
    await page.waitForURL(/\/wiki\/spaces\/ENG\/pages\/65604\//);
  });

  it('refuses alice the configure page, in Confluence and in Keepsake itself', async () => {
    const browser = await env.browserFor(alice);
    const page = await browser.newPage();
    const hostAnswer = await page.goto(`${env.emulator.baseUrl}/wiki/plugins/servlet/ac/keepsake/keepsake-admin`);
    assert.equal(hostAnswer?.status(), 403);
    // Conditions are not a security boundary: load Keepsake's page with a valid page-load JWT for her.
    const { url } = (
      await env.stack.control<{ url: string }>(
        'GET',
        `/iframe-url?appKey=keepsake&moduleKey=keepsake-admin&accountId=${encodeURIComponent(alice)}`,
      )
    ).body;
    const direct = await page.goto(url);
    assert.equal(direct?.status(), 403);
    assert.match(await page.getByRole('alert').innerText(), /Only Confluence administrators/);
    const viaApi = await env.stack.api<{ code: string }>(alice, 'GET', '/api/admin/stats');
    assert.equal(viaApi.status, 403);
    assert.equal(viaApi.body.code, 'FORBIDDEN');
  });

  it('shows the admin the migration figures and the reasons chart, and saves settings', async () => {
    const browser = await env.browserFor(admin);
    const page = await browser.newPage();
    // Tall enough for the whole settings page in the screenshot (a general page sizes to the window).
    await page.setViewportSize({ width: 1200, height: 1500 });
    await page.goto(`${env.emulator.baseUrl}/wiki/plugins/servlet/upm`);
    await page.getByRole('link', { name: 'Configure' }).click();
    await page.waitForURL(/\/wiki\/plugins\/servlet\/ac\/keepsake\/keepsake-admin$/);
    const settings = await keepsakeFrame(page, '/admin');
    assert.equal(await settings.locator('#ks-stat-users').innerText(), '1', 'alice migrated; bob’s only cookie was rejected');
    assert.equal(await settings.locator('#ks-stat-rejected').innerText(), '1');
    const reasons = await settings.locator('#ks-reasons .ks-bar-label').allInnerTexts();
    assert.deepEqual(reasons.sort(), ['Cut off', 'Unreadable']);
    assert.equal(await settings.getByLabel('Where preferences live').inputValue(), 'auto');
    assert.match(await settings.locator('#ks-detected-backend').innerText(), /user properties/);
    await page.screenshot({ path: join(screenshotsDir(), 'admin-settings.png'), fullPage: true });

    await settings.getByRole('checkbox', { name: 'About me public' }).uncheck();
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('#emulator-flags [role="status"]', { hasText: 'Settings saved' }).waitFor();
    const saved = await env.stack.api<{ settings: { profileFields: { note: { public: boolean } } } }>(admin, 'GET', '/api/admin/settings');
    assert.equal(saved.body.settings.profileFields.note.public, false);
  });

  // Last: carol's migration would change the admin's figures above.
  it('shows a long list a page at a time: Show more fetches the next, and removing still works', async () => {
    const base = Date.parse('2020-01-01T00:00:00.000Z');
    const entries = Array.from({ length: 120 }, (_, i) => ({
      id: String(400_000 + i),
      title: `Meeting notes ${i + 1}`,
      at: base + i * 60_000,
    }));
    const seeded = await env.stack.api(carol, 'POST', '/api/migrations/cookies', {
      cookies: { keepsake_bookmarks: JSON.stringify(entries) },
    });
    assert.equal(seeded.status, 200, JSON.stringify(seeded.body).slice(0, 200));
    const browser = await env.browserFor(carol);
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1200, height: 1200 });
    await page.goto(`${env.emulator.baseUrl}/wiki/plugins/servlet/ac/keepsake/my-keepsake`);
    const mine = await keepsakeFrame(page, '/my-keepsake');
    await mine.getByRole('heading', { name: 'Bookmarks (120)' }).waitFor();
    const links = mine.locator('#ks-bookmarks').getByRole('link');
    assert.equal(await links.count(), 50, 'the first page only');
    assert.equal(await links.first().innerText(), 'Meeting notes 120', 'newest first');

    // Removing one from the first page does not shift what the next page starts with.
    await mine.getByRole('button', { name: 'Remove bookmark Meeting notes 100' }).click();
    await mine.getByRole('heading', { name: 'Bookmarks (119)' }).waitFor();
    const more = mine.getByRole('button', { name: 'Show more bookmarks' });
    await more.click();
    await links.nth(98).waitFor();
    assert.equal(await links.count(), 99);
    assert.equal(await links.nth(49).innerText(), 'Meeting notes 70', 'the next page starts right after the last one shown');
    const focused = await mine.evaluate(
      () => (globalThis as unknown as { document: { activeElement: { textContent: string } | null } }).document.activeElement?.textContent,
    );
    assert.equal(focused, 'Meeting notes 70', 'focus moves to the first new entry');
    await more.click();
    await links.nth(118).waitFor();
    await more.waitFor({ state: 'hidden' });
    const titles = await links.allInnerTexts();
    assert.equal(new Set(titles).size, 119, 'none twice');
    assert.equal(titles.at(-1), 'Meeting notes 1');

    await mine.getByRole('button', { name: 'Remove bookmark Meeting notes 1', exact: true }).click();
    await mine.getByRole('heading', { name: 'Bookmarks (118)' }).waitFor();
    const left = await env.stack.api<{ bookmarkCount: number }>(carol, 'GET', '/api/preferences');
    assert.equal(left.body.bookmarkCount, 118);
  });
});
