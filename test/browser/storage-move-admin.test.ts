// The admin page while a storage move runs in the background (issue 11, item 3): the save
// answers at once and the page shows the move's progress (a bar and "n of m users moved"),
// polled until it says every user's data is in the new place; a move stopped by Confluence's
// refusal shows why with a Retry button — also when the page is opened afresh — and Retry
// finishes it. `admin-storage-move.png` is the page while the move runs.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { newAccountId } from '../../emulator/accounts';
import { openAdminSettings, screenshotsDir, startBrowserStack, type BrowserStack } from './support/browser-stack';

const USERS = 40;

describe('A storage move on the admin page', function () {
  this.timeout(180_000);
  let env: BrowserStack;
  before(async () => {
    // One attempt per Confluence call, so that a refusal reaches the move at once.
    env = await startBrowserStack({ settings: { KEEPSAKE_CONFLUENCE_ATTEMPTS: 1 } });
    for (let i = 0; i < USERS; i++) {
      const accountId = newAccountId();
      assert.equal((await env.stack.control('POST', '/users', { accountId, displayName: `Mover ${i}` })).status, 201);
      assert.equal((await env.stack.api(accountId, 'PATCH', '/api/preferences', { viewMode: 'focus' })).status, 200);
    }
  });
  after(async () => env?.close());
  afterEach(() => assert.deepEqual(env.offMachineRequests, [], 'nothing leaves the machine'));

  const openSettings = () => openAdminSettings(env, 'Storage');

  async function saveMode(page: Page, settings: Frame, label: string): Promise<void> {
    await settings.getByLabel('Where preferences live').selectOption({ label });
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('#emulator-flags [role="status"]', { hasText: 'Settings saved' }).waitFor();
  }

  it('shows the move’s progress while it runs, and says when every user’s data is in the new place', async () => {
    const { page, settings } = await openSettings();
    assert.equal(await settings.locator('#ks-move').isHidden(), true, 'no move before the save');
    // A slower Confluence, so the move takes a few polls.
    await env.stack.control('POST', '/faults', { latencyMs: 40 });
    await saveMode(page, settings, 'App properties');
    const summary = settings.locator('#ks-move-summary');
    assert.match(await summary.innerText(), /^Moving every user’s data to app properties: \d+ of \d+ users moved\.$/);
    assert.equal(await settings.getByRole('progressbar').isVisible(), true);
    assert.equal(
      await settings.locator('#ks-active-backend').innerText(),
      'user properties',
      'the old backend is in use until the move finishes',
    );
    await settings.locator('#ks-move').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(screenshotsDir(), 'admin-storage-move.png'), fullPage: true });

    await page.locator('#emulator-flags [role="status"]', { hasText: 'Storage move finished' }).waitFor({ timeout: 120_000 });
    assert.equal(await summary.innerText(), 'Every user’s data is now in app properties.');
    const progress = settings.getByRole('progressbar');
    assert.equal(await progress.getAttribute('value'), await progress.getAttribute('max'), 'the bar is full');
    assert.equal(await settings.locator('#ks-active-backend').innerText(), 'app properties');
    await env.stack.control('DELETE', '/faults');
  });

  it('shows a move Confluence stopped, with why and a Retry button, also on a fresh page; Retry finishes it', async () => {
    const { page, settings } = await openSettings();
    // User properties refuse every call: the move back cannot move anyone.
    await env.stack.control('POST', '/faults', { status: 403, count: 100_000, pathPrefix: '/wiki/rest/api/user/' });
    await saveMode(page, settings, 'User properties (recommended)');
    const error = settings.getByRole('alert');
    await error.waitFor({ timeout: 120_000 });
    assert.match(
      await error.innerText(),
      /^The move to user properties stopped: \d+ users could not be moved: Confluence refused .*Nothing is lost/,
    );

    // The page opened afresh says the same, from the server.
    const fresh = await openSettings();
    assert.match(await fresh.settings.getByRole('alert').innerText(), /^The move to user properties stopped: \d+ users could not be moved/);
    assert.match(
      await fresh.settings.locator('#ks-move-summary').innerText(),
      /^Moving every user’s data to user properties: 0 of \d+ users moved\.$/,
    );

    await env.stack.control('DELETE', '/faults');
    await fresh.settings.getByRole('button', { name: 'Retry the move' }).click();
    await fresh.page.locator('#emulator-flags [role="status"]', { hasText: 'Storage move finished' }).waitFor({ timeout: 120_000 });
    assert.equal(await fresh.settings.locator('#ks-move-summary').innerText(), 'Every user’s data is now in user properties.');
    assert.equal(await fresh.settings.getByRole('button', { name: 'Retry the move' }).isHidden(), true);
    assert.equal(await fresh.settings.getByRole('alert').count(), 0);
  });
});
