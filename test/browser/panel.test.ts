// The page panel in a real browser: it resizes its iframe whenever its content changes, and
// quick repeated changes end in the state the user chose last, on screen and on the server.
import assert from 'node:assert/strict';
import { SEEDED_USERS } from '../../emulator';
import type { PreferencesSummary } from '../../frontend/shared/api-types';
import { setIds } from '../support/set-entries';
import { openConfluencePage, startBrowserStack, type BrowserStack } from './support/browser-stack';
import { readyPanel, settled } from './support/panel';

const alice = SEEDED_USERS.alice.accountId;
const bob = SEEDED_USERS.bob.accountId;
const carol = SEEDED_USERS.carol.accountId;

describe('The page panel in the browser', function () {
  this.timeout(120_000);
  let env: BrowserStack;
  before(async () => {
    env = await startBrowserStack();
  });
  after(async () => env?.close());
  afterEach(() => assert.deepEqual(env.offMachineRequests, [], 'nothing leaves the machine'));

  async function serverView(accountId: string): Promise<PreferencesSummary> {
    const reply = await env.stack.api<PreferencesSummary>(accountId, 'GET', '/api/preferences');
    assert.equal(reply.status, 200);
    return reply.body;
  }

  it('grows its iframe to show all its content after a change of view mode (Focus to Comfortable)', async () => {
    // Alice's public card appears beside the controls in Comfortable and not in Focus.
    await env.stack.api(alice, 'PUT', '/api/profile', {
      pronouns: 'she/her',
      workingHours: '9–17 CET',
      location: 'Lisbon office, 3rd floor',
      note: 'Ask me about release planning, the on-call rota and the holiday calendar; I answer chat messages within the working hours above and email within a day.',
    });
    await env.stack.api(carol, 'PATCH', '/api/preferences', { viewMode: 'focus' });
    const page = await openConfluencePage(await env.browserFor(carol), env.emulator, '65606');
    // A narrower page: with the card beside them, the controls wrap onto more lines.
    await page.setViewportSize({ width: 760, height: 900 });
    await page.reload();
    const panel = await readyPanel(page);
    await panel.getByRole('radio', { name: 'Comfortable' }).check();
    await settled(panel);
    // The iframe's own box (its viewport) covers the panel: the tracking choices are not clipped.
    await panel.waitForFunction(
      () => {
        const { document, innerHeight } = globalThis as unknown as {
          innerHeight: number;
          document: { querySelector(s: string): { getBoundingClientRect(): { bottom: number } } | null };
        };
        const root = document.querySelector('#keepsake-panel');
        const tracking = document.querySelector('fieldset:has(input[data-tracking])')?.getBoundingClientRect().bottom ?? Infinity;
        return root !== null && root.getBoundingClientRect().bottom <= innerHeight + 0.5 && tracking <= innerHeight;
      },
      undefined,
      { timeout: 10_000 },
    );
    assert.equal((await serverView(carol)).viewMode, 'comfortable');
  });

  it('ends not bookmarked after a double click on Bookmark, on screen and on the server', async () => {
    const browser = await env.browserFor(bob);
    const page = await openConfluencePage(browser, env.emulator, '65604');
    const panel = await readyPanel(page);
    const toggle = panel.locator('button[data-set="bookmarks"]');
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
    const calls: string[] = [];
    browser.on('requestfinished', (request) => {
      if (new URL(request.url()).pathname.startsWith('/api/bookmarks')) calls.push(request.method());
    });
    await toggle.dblclick();
    // Two clicks, two changes, sent one after the other: bookmark, then remove it again.
    await waitUntil(() => calls.length >= 2);
    await settled(panel);
    assert.deepEqual(calls, ['POST', 'DELETE']);
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
    assert.equal((await toggle.innerText()).trim(), 'Bookmark');
    assert.deepEqual(
      (await setIds((path) => env.stack.api(bob, 'GET', path), 'bookmarks')).filter((id) => id === '65604'),
      [],
    );
    assert.equal(await panel.locator('#ks-counts').innerText(), '0 bookmarks · 0 watches');
  });

  it('shows how many pages the user keeps, and this page’s state, updated after each change', async () => {
    // Carol keeps two other pages already; the panel embeds their count, not the pages.
    for (const contentId of ['65601', '65603']) await env.stack.api(carol, 'POST', '/api/bookmarks', { contentId });
    const page = await openConfluencePage(await env.browserFor(carol), env.emulator, '65605');
    const panel = await readyPanel(page);
    const counts = panel.locator('#ks-counts');
    assert.equal(await counts.innerText(), '2 bookmarks · 0 watches');
    const state = JSON.parse((await panel.locator('#keepsake-state').textContent()) ?? '{}') as Record<string, unknown>;
    assert.deepEqual(Object.keys(state).sort(), ['bookmarkCount', 'page', 'panelCollapsed', 'tracking', 'viewMode', 'watchCount']);
    assert.doesNotMatch(JSON.stringify(state), /65601|65603/, 'no other page is in the panel');

    await panel.getByRole('button', { name: 'Watch' }).click();
    await settled(panel);
    assert.equal(await counts.innerText(), '2 bookmarks · 1 watch');
    assert.equal(await panel.locator('button[data-set="watches"]').getAttribute('aria-pressed'), 'true');
    await panel.getByRole('button', { name: 'Bookmark', exact: true }).click();
    await settled(panel);
    assert.equal(await counts.innerText(), '3 bookmarks · 1 watch');
    // A change of another kind keeps this page's state as the last set change left it.
    await panel.getByRole('radio', { name: 'Compact' }).check();
    await settled(panel);
    assert.equal(await panel.locator('button[data-set="bookmarks"]').getAttribute('aria-pressed'), 'true');
    assert.equal(await counts.innerText(), '3 bookmarks · 1 watch');
    const server = await serverView(carol);
    assert.deepEqual([server.bookmarkCount, server.watchCount, server.viewMode], [3, 1, 'compact']);
  });

  it('ends shown after Hide then Show in quick succession, even when the first answer is slow', async () => {
    const browser = await env.browserFor(alice);
    const page = await openConfluencePage(browser, env.emulator, '65601');
    const panel = await readyPanel(page);
    const patches: string[] = [];
    // The first PATCH waits (before it reaches Keepsake) until both clicks are done: if the
    // second one were sent meanwhile, it would reach the server first.
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    await browser.route('**/api/preferences', async (route) => {
      const body = route.request().postData() ?? '';
      patches.push(body);
      if (patches.length === 1) await released;
      await route.continue();
    });
    const collapse = panel.locator('#ks-collapse');
    await collapse.click();
    await panel.getByRole('button', { name: 'Show' }).waitFor();
    await collapse.click();
    await panel.getByRole('button', { name: 'Hide' }).waitFor();
    release();
    await waitUntil(() => patches.length >= 2);
    await settled(panel);
    assert.deepEqual(
      patches.map((p) => (JSON.parse(p) as { panelCollapsed: boolean }).panelCollapsed),
      [true, false],
    );
    assert.equal(await collapse.getAttribute('aria-expanded'), 'true');
    assert.equal(await panel.locator('#ks-body').isVisible(), true);
    assert.equal((await serverView(alice)).panelCollapsed, false);
  });
});

/** Polls a condition of the test's own (no fixed wait: it ends as soon as the condition holds). */
async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('The condition did not hold in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
