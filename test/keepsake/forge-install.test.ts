// Keepsake installed the Forge way (Connect on Forge, issue 9): the emulator validates
// manifest.yml with @forge/manifest, sends the signed `installed` with an installation id and
// no `enabled`, and shows the connectModules; Keepsake works there as it does installed
// through UPM.
import assert from 'node:assert/strict';
import { SEEDED_USERS } from '../../emulator';
import { APP_KEY, request, startStack, storeKinds, type Stack } from '../support/keepsake-stack';
import type { PageInSets } from '../../lib/preferences/panel-state';
import type { PreferencesSummary } from '../../lib/preferences/preferences-summary';

const { alice, bob } = SEEDED_USERS;

for (const store of storeKinds()) {
  describe(`Keepsake installed the Forge way (${store})`, () => {
    let stack: Stack;
    before(async () => {
      stack = await startStack({ store, install: 'forge' });
    });
    after(async () => stack?.close());

    it('is installed through Forge, with an installation id', async () => {
      const apps = await stack.control<{ key: string; installedVia: string; installationId: string | null }[]>('GET', '/apps');
      const app = apps.body.find((a) => a.key === APP_KEY);
      assert.equal(app?.installedVia, 'forge');
      assert.match(app?.installationId ?? '', /^ari:cloud:ecosystem::installation\//);
      assert.ok(stack.clientKey);
    });

    it('serves the API to users of the site: preferences, bookmarks with titles, public cards', async () => {
      const patched = await stack.api<PreferencesSummary>(alice.accountId, 'PATCH', '/api/preferences', { viewMode: 'focus' });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      const added = await stack.api<PreferencesSummary & { page: PageInSets }>(alice.accountId, 'POST', '/api/bookmarks', {
        contentId: '65602',
      });
      assert.equal(added.status, 200, JSON.stringify(added.body));
      assert.equal(added.body.page.bookmarked, true);
      const listed = await stack.api<{ items: { title: string }[] }>(alice.accountId, 'GET', '/api/bookmarks');
      assert.equal(listed.body.items[0].title, 'Release checklist');
      assert.equal(added.body.backend, 'user-properties');
      await stack.api(alice.accountId, 'PUT', '/api/profile', { pronouns: 'she/her' });
      const card = await stack.api<{ profile: Record<string, string> }>(
        bob.accountId,
        'GET',
        `/api/profile/${encodeURIComponent(alice.accountId)}`,
      );
      assert.deepEqual(card.body.profile, { pronouns: 'she/her' });
    });

    it('runs its daily trigger when Forge calls it with an invocation token, and drops expired OAuth tokens', async () => {
      // An expired OAuth token for acting as alice, as ACE caches it (sealed like every value of its store).
      const settings = stack.keepsake.keepsake.addon.settings;
      await settings.set(
        'bearer:expired-one',
        { token: 'old-token', expiresAt: Math.floor(Date.now() / 1000) - 60 } as never,
        stack.clientKey,
      );
      await settings.set(
        'bearer:still-good',
        { token: 'new-token', expiresAt: Math.floor(Date.now() / 1000) + 600 } as never,
        stack.clientKey,
      );
      const run = await stack.control<{ status: number; body: unknown; attempts: unknown[] }>('POST', '/forge/scheduled-triggers/run', {
        appKey: APP_KEY,
        key: 'keepsake-daily-trigger',
      });
      assert.equal(run.status, 200, JSON.stringify(run.body));
      assert.equal(run.body.status, 200, JSON.stringify(run.body));
      // Alice holds data here (bob only looked at her card): the reporting cycle, due on a site that never ran one, reports her.
      assert.deepEqual(JSON.parse(String(run.body.body)), { ran: { expiredUserTokensDropped: 1, accountsReported: 1, accountsErased: 0 } });
      assert.equal(run.body.attempts.length, 1, 'answered on the first attempt');
      assert.equal(await settings.get('bearer:expired-one', stack.clientKey), null);
      assert.ok(await settings.get('bearer:still-good', stack.clientKey));
    });

    it('refuses the trigger without a Forge invocation token, with a forged signature, or expired', async () => {
      const url = `${stack.keepsake.url}/forge/scheduled/daily`;
      const none = await request<{ code: string }>(url, 'POST', {});
      assert.equal(none.status, 401);
      assert.equal(none.body.code, 'UNAUTHENTICATED');
      const minted = await stack.control<{ token: string }>('POST', '/forge/fit', { appKey: APP_KEY });
      assert.equal(minted.status, 200, JSON.stringify(minted.body));
      const [head, payload] = minted.body.token.split('.');
      const forged = await request<{ code: string; message: string }>(
        url,
        'POST',
        {},
        { Authorization: `Bearer ${head}.${payload}.${'A'.repeat(342)}` },
      );
      assert.equal(forged.status, 401);
      assert.match(forged.body.message, /signature/);
      const expired = await stack.control<{ token: string }>('POST', '/forge/fit', { appKey: APP_KEY, ttlSeconds: -60 });
      const late = await request<{ code: string; message: string }>(url, 'POST', {}, { Authorization: `Bearer ${expired.body.token}` });
      assert.equal(late.status, 401);
      assert.match(late.body.message, /expired/);
      const valid = await request<{ ran: { accountsReported: number } }>(url, 'POST', {}, { Authorization: `Bearer ${minted.body.token}` });
      assert.equal(valid.status, 200, 'the same token, unchanged, is accepted');
      assert.equal(valid.body.ran.accountsReported, 0, 'the cycle ran this morning: not due again for 7 days');
    });

    it('serves its iframes: the panel of a page, signed by the emulated Confluence', async () => {
      const link = await stack.control<{ url: string }>(
        'GET',
        `/iframe-url?appKey=${APP_KEY}&moduleKey=keepsake-panel&accountId=${encodeURIComponent(alice.accountId)}&pageId=65602`,
      );
      assert.equal(link.status, 200, JSON.stringify(link.body));
      const panel = await fetch(link.body.url);
      assert.equal(panel.status, 200);
      assert.match(await panel.text(), /data-view-mode="focus"/);
    });
  });
}
