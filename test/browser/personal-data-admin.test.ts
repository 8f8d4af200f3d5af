// The admin page's personal-data reporting section in the browser (issue 10, item 6): before
// any cycle it says "Never"; "Run now" reports the site's accounts and shows the figures in
// place; an account closed in the emulator after it stored something shows as 1 closed (and
// its data is gone); a rate-limited cycle says it is paused and why, and the next run finishes
// it. `admin-personal-data.png` is the section after the closed account.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { SEEDED_USERS } from '../../emulator';
import { keepsakeFrame, openAdminSettings, screenshotsDir, startBrowserStack, type BrowserStack } from './support/browser-stack';

const alice = SEEDED_USERS.alice.accountId;
const bob = SEEDED_USERS.bob.accountId;
const carol = SEEDED_USERS.carol.accountId;
const REPORT_PATH = '/wiki/rest/atlassian-connect/latest/report-accounts';

describe('Personal data reporting on the admin page', function () {
  this.timeout(120_000);
  let env: BrowserStack;
  before(async () => {
    // No timer: every cycle here is one the admin runs.
    env = await startBrowserStack({ settings: { KEEPSAKE_REPORTING_CHECK_SECONDS: 0 } });
    await env.stack.api(alice, 'PATCH', '/api/preferences', { viewMode: 'focus' });
    await env.stack.api(bob, 'PATCH', '/api/preferences', { viewMode: 'compact' });
  });
  after(async () => env?.close());
  afterEach(() => assert.deepEqual(env.offMachineRequests, [], 'nothing leaves the machine'));

  const openSettings = () => openAdminSettings(env, 'Personal data reporting');

  async function runNow(page: Page, settings: Frame, flag: string | RegExp): Promise<string> {
    const button = settings.getByRole('button', { name: 'Run now' });
    await button.click();
    const shown = page.locator('#emulator-flags [role="status"], #emulator-flags [role="alert"]', { hasText: flag });
    await shown.waitFor();
    await settings.locator('#ks-pd-run:not([aria-busy])').waitFor();
    return shown.innerText();
  }

  const figure = (settings: Frame, id: string) => settings.locator(`#ks-pd-${id}`).innerText();

  it('says "Never" before any cycle; Run now reports the accounts and shows the figures in place', async () => {
    const { page, settings } = await openSettings();
    assert.equal(await figure(settings, 'last'), 'Never');
    assert.equal(await figure(settings, 'reported'), '0');
    assert.equal(await figure(settings, 'next'), 'Due now');
    assert.match(await settings.locator('#ks-pd-about').innerText(), /Atlassian asks every app that keeps personal data/);
    assert.equal(await settings.locator('#ks-pd-paused').isHidden(), true);

    const flag = await runNow(page, settings, 'Reported 2 accounts');
    assert.match(flag, /Reported 2 accounts; none closed or updated\./);
    assert.equal(await figure(settings, 'reported'), '2');
    assert.equal(await figure(settings, 'closed'), '0');
    assert.match(await figure(settings, 'last'), /^\d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2} UTC$/);
    assert.match(await figure(settings, 'next'), /^\d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2} UTC$/, 'the next cycle is in 7 days');
  });

  it('shows 1 closed after an account that stored something is closed in the emulator', async () => {
    await env.stack.api(carol, 'PATCH', '/api/preferences', { viewMode: 'focus' });
    assert.equal((await env.stack.control('POST', `/users/${encodeURIComponent(carol)}/close`)).status, 200);
    const { page, settings } = await openSettings();
    assert.equal(await figure(settings, 'reported'), '2', 'the page opens with the last cycle’s figures');

    const flag = await runNow(page, settings, 'Reported 3 accounts');
    assert.match(flag, /Reported 3 accounts; 1 closed account erased\./);
    assert.equal(await figure(settings, 'reported'), '3');
    assert.equal(await figure(settings, 'closed'), '1');
    assert.notEqual(await figure(settings, 'erased'), '0');
    await settings.locator('#ks-personal-data').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(screenshotsDir(), 'admin-personal-data.png'), fullPage: true });

    // Reloaded, the server renders the same figures.
    await page.reload();
    const again = await keepsakeFrame(page, '/admin');
    await again.getByRole('heading', { name: 'Personal data reporting' }).waitFor();
    assert.equal(await figure(again, 'closed'), '1');
    assert.equal(await figure(again, 'reported'), '3');
  });

  it('says why a rate-limited cycle paused, and the next run finishes it', async () => {
    await env.stack.control('POST', '/faults', { status: 429, retryAfter: 30, pathPrefix: REPORT_PATH });
    const { page, settings } = await openSettings();
    const flag = await runNow(page, settings, /Paused: /);
    assert.match(flag, /it continues at the next run\./);
    const paused = settings.locator('#ks-pd-paused');
    assert.equal(await paused.isVisible(), true);
    assert.match(await paused.innerText(), /^Paused: .+; it continues at the next run\.$/);

    await runNow(page, settings, 'Reported 2 accounts');
    assert.equal(await paused.isHidden(), true);
    assert.equal(await figure(settings, 'reported'), '2');
  });
});
