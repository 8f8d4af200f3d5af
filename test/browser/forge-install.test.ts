// The iframes in a real browser with Keepsake installed the Forge way (Connect on Forge, issue 9):
// the emulated Confluence shows the modules of manifest.yml's connectModules, signs their URLs
// as it does for a UPM install, and Keepsake serves them: the panel with a legacy migration,
// My Keepsake, and the admin page.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SEEDED_USERS } from '../../emulator';
import { keepsakeFrame, openConfluencePage, screenshotsDir, startBrowserStack, type BrowserStack } from './support/browser-stack';
import { settled } from './support/panel';
import { ids, storedPreferences } from './support/keepsake-data';
import { seedLocalStorageCookies } from './support/legacy-storage';

const { admin, alice } = SEEDED_USERS;

describe('The iframes in the browser, Keepsake installed the Forge way', function () {
  this.timeout(120_000);
  let env: BrowserStack;
  before(async () => {
    env = await startBrowserStack({ install: 'forge' });
  });
  after(async () => env?.close());
  afterEach(() => assert.deepEqual(env.offMachineRequests, [], 'nothing leaves the machine'));

  it('shows the panel on a page, migrates the legacy values and bookmarks the page on a click', async () => {
    const browser = await env.browserFor(alice.accountId);
    await seedLocalStorageCookies(browser, env.emulator, { keepsake_view_mode: 'compact', keepsake_watches: '65603' });
    const page = await openConfluencePage(browser, env.emulator, '65602');
    const panel = await keepsakeFrame(page, '/panel');
    await panel.locator('#keepsake-panel[data-migration="done"]').waitFor();
    assert.equal(await panel.getByRole('radio', { name: 'Compact' }).isChecked(), true, 'the legacy view mode');
    await panel.getByRole('button', { name: 'Bookmark' }).click();
    await panel.getByRole('button', { name: 'Bookmarked' }).waitFor();
    // The toggle shows at once; wait until the server has answered.
    await settled(panel);
    const stored = await storedPreferences(env.stack, alice.accountId);
    assert.deepEqual(ids(stored.bookmarks), ['65602']);
    assert.deepEqual(ids(stored.watches), ['65603']);
    assert.equal(stored.viewMode, 'compact');
    await page.screenshot({ path: join(screenshotsDir(), 'panel-forge-install.png'), fullPage: true });
  });

  it('shows My Keepsake with what the panel saved', async () => {
    const browser = await env.browserFor(alice.accountId);
    const page = await browser.newPage();
    await page.goto(`${env.emulator.baseUrl}/wiki/plugins/servlet/ac/keepsake/my-keepsake`);
    const mine = await keepsakeFrame(page, '/my-keepsake');
    await mine.getByRole('heading', { name: 'Bookmarks (1)' }).waitFor();
    assert.deepEqual(await mine.locator('#ks-bookmarks').getByRole('link').allInnerTexts(), ['Release checklist']);
  });

  it('shows the admin the settings page from Manage apps', async () => {
    const browser = await env.browserFor(admin.accountId);
    const page = await browser.newPage();
    await page.goto(`${env.emulator.baseUrl}/wiki/plugins/servlet/upm`);
    await page.getByRole('link', { name: 'Configure' }).click();
    await page.waitForURL(/\/wiki\/plugins\/servlet\/ac\/keepsake\/keepsake-admin$/);
    const settings = await keepsakeFrame(page, '/admin');
    assert.equal(await settings.getByLabel('Where preferences live').inputValue(), 'auto');
    assert.match(await settings.locator('#ks-detected-backend').innerText(), /user properties/);
  });
});
