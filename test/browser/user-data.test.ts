// "Download my data" and "Delete my data" in My Keepsake, in a real browser (issue 10, item 4):
// the download is the caller's data as a JSON file; the deletion asks first, then erases
// everything and shows My Keepsake as for a new user.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SEEDED_USERS } from '../../emulator';
import { setIds } from '../support/set-entries';
import { keepsakeFrame, screenshotsDir, startBrowserStack, type BrowserStack } from './support/browser-stack';

const { alice, bob } = SEEDED_USERS;

describe('My Keepsake: download and delete my data, in the browser', function () {
  this.timeout(120_000);
  let env: BrowserStack;
  before(async () => {
    env = await startBrowserStack();
    await env.stack.api(alice.accountId, 'POST', '/api/bookmarks', { contentId: '65602' });
    await env.stack.api(alice.accountId, 'PUT', '/api/profile', { pronouns: 'she/her' });
    await env.stack.api(bob.accountId, 'POST', '/api/bookmarks', { contentId: '65603' });
  });
  after(async () => env?.close());
  afterEach(() => assert.deepEqual(env.offMachineRequests, [], 'nothing leaves the machine'));

  async function myKeepsake(accountId: string) {
    const browser = await env.browserFor(accountId);
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1200, height: 1400 });
    await page.goto(`${env.emulator.baseUrl}/wiki/plugins/servlet/ac/keepsake/my-keepsake`);
    return { page, frame: await keepsakeFrame(page, '/my-keepsake') };
  }

  it('downloads the caller’s data as a JSON file', async () => {
    const { page, frame } = await myKeepsake(alice.accountId);
    const [download] = await Promise.all([page.waitForEvent('download'), frame.getByRole('button', { name: 'Download my data' }).click()]);
    assert.equal(download.suggestedFilename(), 'keepsake-my-data.json');
    const data = JSON.parse(await readFile(await download.path(), 'utf8')) as {
      accountId: string;
      preferences: { bookmarks: { contentId: string }[]; profile: object };
    };
    assert.equal(data.accountId, alice.accountId);
    assert.deepEqual(
      data.preferences.bookmarks.map((b) => b.contentId),
      ['65602'],
    );
    assert.deepEqual(data.preferences.profile, { pronouns: 'she/her' });
  });

  it('asks before deleting, can be cancelled, then erases everything and shows a fresh start', async () => {
    const { page, frame } = await myKeepsake(alice.accountId);
    await frame.getByRole('heading', { name: 'Bookmarks (1)' }).waitFor();
    await frame.getByRole('button', { name: 'Delete my data…' }).click();
    const confirm = frame.getByRole('button', { name: 'Delete everything' });
    await confirm.waitFor();
    await page.screenshot({ path: join(screenshotsDir(), 'my-keepsake-delete-confirm.png'), fullPage: true });
    await frame.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'hidden' });
    assert.equal(
      (await env.stack.api<{ bookmarkCount: number }>(alice.accountId, 'GET', '/api/preferences')).body.bookmarkCount,
      1,
      'cancel deletes nothing',
    );

    await frame.getByRole('button', { name: 'Delete my data…' }).click();
    await confirm.click();
    const fresh = await keepsakeFrame(page, '/my-keepsake');
    await fresh.getByRole('heading', { name: 'Bookmarks (0)' }).waitFor();
    assert.equal(await fresh.getByLabel('Pronouns').inputValue(), '');
    assert.deepEqual(await setIds((path) => env.stack.api(bob.accountId, 'GET', path), 'bookmarks'), ['65603'], 'bob keeps his');
  });
});
