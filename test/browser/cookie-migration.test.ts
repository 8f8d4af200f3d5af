// The move from AP.cookie to user properties, in a real browser against Atlassian's Connect JS
// (issue 4, section 3): migrate, then never again; merge browsers; survive a lost answer;
// report truncated values without failing. Issue 12: every format an older version could have
// left is read (plain strings, comma lists and JSON arrays as stored, the {value, expires} form,
// AUI's conglomerate cookie), and a value that cannot be read stays where it is, reported once.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { SEEDED_USERS } from '../../emulator';
import { keepsakeFrame, openConfluencePage, screenshotsDir, startBrowserStack, type BrowserStack } from './support/browser-stack';
import { ids, storedPreferences } from './support/keepsake-data';
import type { PageGlobals } from './support/page-globals';
import { auiConglomerateValue, remainingLegacyValues, seedConglomerateCookie, seedLocalStorageCookies } from './support/legacy-storage';

const alice = SEEDED_USERS.alice.accountId;
const bob = SEEDED_USERS.bob.accountId;
const carol = SEEDED_USERS.carol.accountId;
const admin = SEEDED_USERS.admin.accountId;
const MIGRATION_PATH = '/api/migrations/cookies';

/**
 * Legacy values put into the host page's localStorage exactly as given (`keepsake$$<name>` =
 * the text itself): what a host that stored AP.cookie values as they came would have left.
 */
async function seedRawLocalStorage(
  context: BrowserContext,
  emulator: BrowserStack['emulator'],
  entries: Record<string, string>,
): Promise<void> {
  const page = await context.newPage();
  await page.goto(`${emulator.baseUrl}/_emulator/pages`);
  await page.evaluate((pairs) => {
    const { localStorage } = globalThis as unknown as PageGlobals;
    for (const [name, value] of pairs) localStorage.setItem(`keepsake$$${name}`, value);
  }, Object.entries(entries));
  await page.close();
}

/** The host page's localStorage entries of Keepsake's legacy values, as stored. */
async function rawLocalStorage(page: Page, names: string[]): Promise<Record<string, string | null>> {
  return page.evaluate((keys) => {
    const { localStorage } = globalThis as unknown as PageGlobals;
    return Object.fromEntries(keys.map((name) => [name, localStorage.getItem(`keepsake$$${name}`)]));
  }, names);
}

/** Every call the browser makes to Keepsake's migration endpoint. */
function recordMigrationCalls(context: BrowserContext): string[] {
  const calls: string[] = [];
  context.on('request', (request) => {
    if (new URL(request.url()).pathname === MIGRATION_PATH) calls.push(request.method());
  });
  return calls;
}

/** Opens the page and waits until the panel has finished its migration step. */
async function panelAfterMigration(page: Page, outcome: 'done' | 'none' | 'failed') {
  const frame = await keepsakeFrame(page, '/panel');
  await frame.locator(`#keepsake-panel[data-migration="${outcome}"]`).waitFor();
  return frame;
}

async function legacyValuesGone(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const { localStorage, document } = globalThis as unknown as PageGlobals;
    const keys = Array.from({ length: localStorage.length }, (_, i) => localStorage.key(i) ?? '');
    return !keys.some((k) => k.startsWith('keepsake$$')) && !document.cookie.includes('keepsake$$');
  });
}

describe('AP.cookie migration in the browser', function () {
  this.timeout(120_000);
  let env: BrowserStack;
  before(async () => {
    env = await startBrowserStack();
  });
  after(async () => env?.close());
  afterEach(() => assert.deepEqual(env.offMachineRequests, [], 'nothing leaves the machine'));

  it('moves alice’s legacy values into her user properties, erases them, and shows them in the panel', async () => {
    const browser1 = await env.browserFor(alice);
    await seedLocalStorageCookies(browser1, env.emulator, {
      keepsake_view_mode: 'compact',
      keepsake_tracking: 'analytics:1,productEmails:0',
      keepsake_bookmarks: JSON.stringify([
        { id: '65602', title: 'Release checklist', at: Date.UTC(2024, 2, 1) },
        { id: '65604', title: 'Architecture decisions', at: Date.UTC(2024, 2, 2) },
      ]),
      keepsake_watches: '65603',
      keepsake_saved_at: String(Date.UTC(2024, 2, 3)),
    });
    const calls = recordMigrationCalls(browser1);
    const page = await openConfluencePage(browser1, env.emulator, '65602');
    const panel = await panelAfterMigration(page, 'done');

    assert.deepEqual(calls, ['POST']);
    const stored = await storedPreferences(env.stack, alice);
    assert.equal(stored.viewMode, 'compact');
    assert.deepEqual(stored.tracking, { analytics: true, productEmails: false });
    assert.deepEqual(ids(stored.bookmarks), ['65602', '65604']);
    assert.deepEqual(ids(stored.watches), ['65603']);

    await legacyValuesGone(page);
    assert.deepEqual(await remainingLegacyValues(browser1, env.emulator), []);

    assert.equal(await panel.getByRole('button', { name: 'Bookmarked' }).getAttribute('aria-pressed'), 'true');
    assert.equal(await panel.getByRole('radio', { name: 'Compact' }).isChecked(), true);
    assert.equal(await panel.getByRole('checkbox', { name: 'Usage analytics' }).isChecked(), true);
    await page.locator('#emulator-flags [role="status"]', { hasText: 'Your settings now follow you' }).waitFor();
    await page.screenshot({ path: join(screenshotsDir(), 'panel-after-migration.png'), fullPage: true });
  });

  it('shows alice the same state in a fresh browser, rendered by the server, with no migration call', async () => {
    const browser2 = await env.browserFor(alice);
    const calls = recordMigrationCalls(browser2);
    const panelHtml = browser2.waitForEvent('response', (r) => new URL(r.url()).pathname === '/panel');
    const page = await openConfluencePage(browser2, env.emulator, '65602');
    const html = await (await panelHtml).text();
    assert.match(html, /data-set="bookmarks" aria-pressed="true"/, 'the bookmark is in the HTML, before any script runs');
    assert.match(html, /value="compact" checked/);
    const panel = await panelAfterMigration(page, 'none');
    assert.equal(await panel.getByRole('button', { name: 'Bookmarked' }).getAttribute('aria-pressed'), 'true');
    assert.equal(await panel.getByRole('radio', { name: 'Compact' }).isChecked(), true);
    assert.deepEqual(calls, [], 'a browser with nothing to migrate makes no migration call');

    // Collapsing, by keyboard: the panel becomes a thin bar and AP.resize shrinks the iframe.
    const iframe = page.locator('#web-panel-0 iframe');
    const tall = (await iframe.boundingBox())?.height ?? 0;
    await panel.getByRole('button', { name: 'Hide' }).focus();
    const patched = page.waitForResponse((r) => r.url().endsWith('/api/preferences') && r.request().method() === 'PATCH');
    await panel.page().keyboard.press('Enter');
    await panel.getByRole('button', { name: 'Show' }).waitFor();
    assert.equal(await panel.getByRole('button', { name: 'Show' }).getAttribute('aria-expanded'), 'false');
    await page.waitForFunction((before) => {
      const { document } = globalThis as unknown as PageGlobals;
      return (document.querySelector('#web-panel-0 iframe')?.getBoundingClientRect().height ?? before) < before / 2;
    }, tall);
    // The choice is a preference: it reaches the server and follows alice to a fresh browser.
    assert.equal((await patched).status(), 200);
    const other = await openConfluencePage(await env.browserFor(alice), env.emulator, '65602');
    const otherPanel = await panelAfterMigration(other, 'none');
    assert.equal(await otherPanel.getByRole('button', { name: 'Show' }).getAttribute('aria-expanded'), 'false');
  });

  it('unites the bookmarks of two browsers with different legacy values', async () => {
    const laptop = await env.browserFor(bob);
    const desktop = await env.browserFor(bob);
    await seedLocalStorageCookies(laptop, env.emulator, { keepsake_bookmarks: '65601,65602' });
    await seedConglomerateCookie(desktop, env.emulator, { keepsake_bookmarks: '65602,65605' });
    await panelAfterMigration(await openConfluencePage(laptop, env.emulator, '65601'), 'done');
    const page = await openConfluencePage(desktop, env.emulator, '65605');
    await panelAfterMigration(page, 'done');
    await legacyValuesGone(page);
    assert.deepEqual(ids((await storedPreferences(env.stack, bob)).bookmarks), ['65601', '65602', '65605']);
    assert.deepEqual(await remainingLegacyValues(desktop, env.emulator), [], 'the legacy cookie entry is erased too');
  });

  it('loses nothing when the answer never reaches the browser, and finishes on the next page view', async () => {
    const browser = await env.browserFor(carol);
    await seedLocalStorageCookies(browser, env.emulator, { keepsake_watches: '65605,65606', keepsake_view_mode: 'focus' });
    // The server saves, then the connection drops before the browser hears back (a closed tab).
    await browser.route(`**${MIGRATION_PATH}`, async (route) => {
      await route.fetch();
      await route.abort('connectionreset');
    });
    const first = await openConfluencePage(browser, env.emulator, '65601');
    await panelAfterMigration(first, 'failed');
    assert.deepEqual((await remainingLegacyValues(browser, env.emulator)).sort(), [
      'keepsake$$keepsake_view_mode',
      'keepsake$$keepsake_watches',
    ]);
    await first.locator('#emulator-flags [role="alert"]').waitFor();

    await browser.unroute(`**${MIGRATION_PATH}`);
    const second = await openConfluencePage(browser, env.emulator, '65601');
    await panelAfterMigration(second, 'done');
    await legacyValuesGone(second);
    const stored = await storedPreferences(env.stack, carol);
    assert.deepEqual(ids(stored.watches), ['65605', '65606'], 'sent twice, kept once');
    assert.equal(stored.viewMode, 'focus');
  });

  it('migrates a JSON bookmark list from a conglomerate cookie in AUI’s own format, and erases only Keepsake’s entries', async () => {
    const browser = await env.browserFor(bob);
    const list = JSON.stringify([
      { id: '65603', title: 'On-call runbook', at: Date.UTC(2024, 1, 1) },
      { id: '65606', title: 'Holiday calendar', at: Date.UTC(2024, 1, 2) },
    ]);
    // Another plugin's entry before and after Keepsake's, as AJS.Cookie.save leaves them.
    await browser.addCookies([
      {
        name: 'AJS.conglomerate.cookie',
        value: auiConglomerateValue({ 'confluence.sidebar.width': '285', keepsake$$keepsake_bookmarks: list, 'editor.mode': 'rich' }),
        url: env.emulator.baseUrl,
      },
    ]);
    const page = await openConfluencePage(browser, env.emulator, '65601');
    await panelAfterMigration(page, 'done');
    await legacyValuesGone(page);
    const stored = await storedPreferences(env.stack, bob);
    assert.ok(ids(stored.bookmarks).includes('65603') && ids(stored.bookmarks).includes('65606'), JSON.stringify(stored.bookmarks));
    const left = (await browser.cookies(env.emulator.baseUrl)).find((c) => c.name === 'AJS.conglomerate.cookie')?.value;
    assert.equal(left, '"|confluence.sidebar.width=285|editor.mode=rich"', 'the other entries stay, in AUI’s format');
  });

  it('finishes the migration when the conglomerate cookie holds a stray % (read as text, as AUI does)', async () => {
    const browser = await env.browserFor(bob);
    await browser.addCookies([
      {
        name: 'AJS.conglomerate.cookie',
        value: auiConglomerateValue({ 'zoom.level': '100%', keepsake$$keepsake_bookmarks: '65604' }),
        url: env.emulator.baseUrl,
      },
    ]);
    const page = await openConfluencePage(browser, env.emulator, '65601');
    await panelAfterMigration(page, 'done');
    await legacyValuesGone(page);
    assert.ok(ids((await storedPreferences(env.stack, bob)).bookmarks).includes('65604'));
  });

  it('ends the migration step when AP.cookie.read never answers (each read counts as absent after its time limit)', async () => {
    const browser = await env.browserFor(carol);
    // In the iframes' all.js only: AP.cookie.read takes the callback and never calls it.
    await browser.route('**/atlassian-connect/all.js', async (route) => {
      const original = await route.fetch();
      await route.fulfill({ response: original, body: `${await original.text()}\n;AP.cookie.read = function () {};\n` });
    });
    const calls = recordMigrationCalls(browser);
    const started = Date.now();
    const page = await openConfluencePage(browser, env.emulator, '65601');
    await panelAfterMigration(page, 'none');
    assert.ok(Date.now() - started >= 4000, 'the reads were waited for, up to their limit');
    assert.deepEqual(calls, []);
  });

  it('reads a plain string and a comma list from localStorage, as docs/legacy-cookies.md shows them, and erases them once stored', async () => {
    const browser = await env.browserFor(admin);
    // The issue's steps, literally: neither value is in the {value, expires} form.
    await seedRawLocalStorage(browser, env.emulator, { keepsake_bookmarks: '65602,65603', keepsake_view_mode: 'compact' });
    const page = await openConfluencePage(browser, env.emulator, '65602');
    const panel = await panelAfterMigration(page, 'done');
    await legacyValuesGone(page);
    const stored = await storedPreferences(env.stack, admin);
    assert.deepEqual(ids(stored.bookmarks), ['65602', '65603']);
    assert.deepEqual(
      stored.bookmarks.map((b) => b.title).sort(),
      ['On-call runbook', 'Release checklist'],
      'the titles of bare ids are read from Confluence',
    );
    assert.equal(stored.viewMode, 'compact');
    assert.equal(await panel.getByRole('radio', { name: 'Compact' }).isChecked(), true);
    await page.locator('#emulator-flags [role="status"]', { hasText: 'Your settings now follow you' }).waitFor();
  });

  it('reads a JSON array of pages stored as it is in localStorage', async () => {
    const browser = await env.browserFor(bob);
    await seedRawLocalStorage(browser, env.emulator, {
      keepsake_watches: JSON.stringify([{ id: '65604', title: 'Architecture decisions', at: Date.UTC(2024, 3, 1) }, '65601']),
    });
    const page = await openConfluencePage(browser, env.emulator, '65601');
    await panelAfterMigration(page, 'done');
    await legacyValuesGone(page);
    const watches = (await storedPreferences(env.stack, bob)).watches;
    assert.ok(ids(watches).includes('65604') && ids(watches).includes('65601'), JSON.stringify(watches));
  });

  it('reads a value the host hands over in its stored {value, expires} form (here from the conglomerate cookie)', async () => {
    const browser = await env.browserFor(carol);
    const wrapped = JSON.stringify({ value: '65602,65604', expires: Date.UTC(2023, 0, 1) });
    await seedConglomerateCookie(browser, env.emulator, { keepsake_bookmarks: wrapped });
    const page = await openConfluencePage(browser, env.emulator, '65601');
    await panelAfterMigration(page, 'done');
    await legacyValuesGone(page);
    const bookmarks = ids((await storedPreferences(env.stack, carol)).bookmarks);
    assert.ok(bookmarks.includes('65602') && bookmarks.includes('65604'), bookmarks.join());
  });

  it('leaves a value it cannot read where it was, says so calmly, and does not say it again on the next page view', async () => {
    const browser = await env.browserFor(alice);
    await seedRawLocalStorage(browser, env.emulator, { keepsake_bookmarks: 'release-checklist;runbook' });
    const calls = recordMigrationCalls(browser);
    const page = await openConfluencePage(browser, env.emulator, '65601');
    await panelAfterMigration(page, 'done');
    const notice = page.locator('#emulator-flags [role="status"]', { hasText: 'left as it was' });
    await notice.waitFor();
    assert.equal(
      (await notice.locator('.emulator-flag-body').innerText()).trim(),
      "Keepsake couldn't read 1 saved bookmark list from this browser; it was left as it was.",
    );
    await page.screenshot({ path: join(screenshotsDir(), 'panel-unreadable-cookie-flag.png'), fullPage: true });
    assert.deepEqual(await rawLocalStorage(page, ['keepsake_bookmarks']), { keepsake_bookmarks: 'release-checklist;runbook' }, 'untouched');

    const again = await openConfluencePage(browser, env.emulator, '65601');
    await panelAfterMigration(again, 'none');
    assert.deepEqual(calls, ['POST'], 'reported once: the same unreadable value is not sent again');
    assert.equal(await again.locator('#emulator-flags .emulator-flag').count(), 0, 'and nothing is said again');
    assert.deepEqual(await rawLocalStorage(again, ['keepsake_bookmarks']), { keepsake_bookmarks: 'release-checklist;runbook' });
  });

  it('stores what AUI’s conglomerate cookie still lets it read of a spoilt JSON list, and leaves the list in the cookie', async () => {
    const browser = await env.browserFor(carol);
    // AUI's read drops every backslash, so the escaped quotes of the second title spoil the JSON there.
    const list = JSON.stringify([
      { id: '65603', title: 'On-call runbook' },
      { id: '65606', title: 'The "holiday" calendar' },
    ]);
    await seedConglomerateCookie(browser, env.emulator, { keepsake_watches: list });
    const page = await openConfluencePage(browser, env.emulator, '65601');
    await panelAfterMigration(page, 'done');
    const notice = page.locator('#emulator-flags [role="status"]', { hasText: 'follows you' });
    await notice.waitFor();
    assert.match(
      await notice.innerText(),
      /couldn't read all of 1 saved list of watched pages from this browser; what it could read now follows you, and it was left as it was/,
    );
    assert.ok(ids((await storedPreferences(env.stack, carol)).watches).includes('65603'));
    assert.deepEqual(await remainingLegacyValues(browser, env.emulator), [
      'keepsake$$keepsake_migration_reported',
      'keepsake$$keepsake_watches',
    ]);
  });

  it('keeps what a truncated legacy value still holds and reports the rest, without failing', async () => {
    const browser = await env.browserFor(carol);
    const full = JSON.stringify([
      { id: '65602', title: 'Release checklist' },
      { id: '65603', title: 'On-call runbook' },
      { id: '65604', title: 'Architecture decisions' },
    ]);
    // Cut off in the middle of the third entry, as the old 4 KB cookie did.
    await seedConglomerateCookie(browser, env.emulator, {
      keepsake_bookmarks: full.slice(0, full.indexOf('65604') + 3),
      keepsake_tracking: 'analytics:yes',
    });
    const page = await openConfluencePage(browser, env.emulator, '65602');
    const panel = await panelAfterMigration(page, 'done');
    const warning = page.locator('#emulator-flags [role="alert"]', { hasText: 'cut' });
    await warning.waitFor();
    assert.ok(ids((await storedPreferences(env.stack, carol)).bookmarks).includes('65603'));
    assert.equal(await panel.getByRole('button', { name: 'Bookmarked' }).getAttribute('aria-pressed'), 'true');
    assert.match(
      await warning.innerText(),
      /An older version of Keepsake had cut short 1 saved bookmark list; every complete entry now follows you/,
    );
    assert.match(await warning.innerText(), /couldn't read the saved tracking choices from this browser; it was left as it was/);
    // The cut-off list is erased (its unfinished last entry nobody can read); the unreadable tracking value stays.
    assert.deepEqual(await remainingLegacyValues(browser, env.emulator), [
      'keepsake$$keepsake_migration_reported',
      'keepsake$$keepsake_tracking',
    ]);
    await page.screenshot({ path: join(screenshotsDir(), 'panel-truncated-cookie-flag.png'), fullPage: true });
  });
});
