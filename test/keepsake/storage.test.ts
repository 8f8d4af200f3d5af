import assert from 'node:assert/strict';
import { SEEDED_USERS } from '../../emulator';
import { legacyPageArray } from '../support/legacy-pages';
import { APP_KEY, startStack, storeKinds, type Stack } from '../support/keepsake-stack';

const { alice, bob, admin } = SEEDED_USERS;

interface View {
  viewMode: string;
  bookmarks: { contentId: string }[];
  watches: { contentId: string }[];
  profile: Record<string, string>;
  backend: string;
  tampered: boolean;
}
interface AdminSettings {
  settings: { mode: string } & Record<string, unknown>;
  storage: { mode: string; detectedBackend: string | null; activeBackend: string | null; move: unknown };
}

const appPropertiesPath = `/rest/atlassian-connect/1/addons/${APP_KEY}/properties`;

async function appPropertyKeys(stack: Stack): Promise<string[]> {
  const reply = await stack.apRequest<{ keys: { key: string }[] }>(admin.accountId, 'GET', appPropertiesPath);
  assert.equal(reply.status, 200);
  return reply.json.keys.map((k) => k.key);
}

async function userPropertyKeys(stack: Stack, accountId: string): Promise<string[]> {
  const keys: string[] = [];
  for (let start = 0; ; start += 25) {
    const reply = await stack.apRequest<{ results: { key: string }[] }>(
      accountId,
      'GET',
      `/rest/api/user/${encodeURIComponent(accountId)}/property?start=${start}&limit=25`,
    );
    if (reply.status !== 200) return keys;
    keys.push(...reply.json.results.map((r) => r.key));
    if (reply.json.results.length < 25) return keys;
  }
}

async function putMode(stack: Stack, mode: string) {
  const current = await stack.api<AdminSettings>(admin.accountId, 'GET', '/api/admin/settings');
  return stack.api<AdminSettings & { code?: string; message?: string; details?: { moved: number; remaining: number } }>(
    admin.accountId,
    'PUT',
    '/api/admin/settings',
    { ...current.body.settings, mode },
  );
}

for (const store of storeKinds()) {
  describe(`storage backends (${store})`, () => {
    describe('auto mode on a site without user properties', () => {
      let stack: Stack;
      before(async () => {
        stack = await startStack({ store });
        await stack.control('POST', '/faults', { userPropertiesOff: true });
      });
      after(async () => stack?.close());

      it('detects that user properties do not work and keeps preferences in app properties', async () => {
        const saved = await stack.api<View>(alice.accountId, 'PATCH', '/api/preferences', { viewMode: 'focus' });
        assert.equal(saved.status, 200, JSON.stringify(saved.body));
        assert.equal(saved.body.backend, 'app-properties');
        const settings = await stack.api<AdminSettings>(admin.accountId, 'GET', '/api/admin/settings');
        assert.equal(settings.body.storage.detectedBackend, 'app-properties');
      });

      it('never puts an account id in an app property key (keys are listed to every user)', async () => {
        const keys = await appPropertyKeys(stack);
        assert.ok(keys.length > 0);
        for (const key of keys) assert.ok(!key.includes(alice.accountId) && !key.includes('a11c'), key);
      });

      it('encrypts what it keeps there: bob reading the app properties with AP.request learns nothing', async () => {
        await stack.api(alice.accountId, 'PUT', '/api/profile', { note: 'private: job hunting' });
        for (const key of await appPropertyKeys(stack)) {
          const raw = await stack.apRequest<{ value: unknown }>(bob.accountId, 'GET', `${appPropertiesPath}/${key}`);
          assert.equal(raw.status, 200, 'app properties are open to every user of the app');
          const text = JSON.stringify(raw.json.value);
          assert.doesNotMatch(text, /focus|job hunting|viewMode|profile/);
        }
        const own = await stack.api<View>(alice.accountId, 'GET', '/api/preferences');
        assert.equal(own.body.profile.note, 'private: job hunting');
      });

      it('keeps users apart: bob does not see alice’s values', async () => {
        const bobs = await stack.api<View>(bob.accountId, 'GET', '/api/preferences');
        assert.equal(bobs.body.viewMode, 'comfortable');
        const alices = await stack.api<View>(alice.accountId, 'GET', '/api/preferences');
        assert.equal(alices.body.viewMode, 'focus');
      });
    });

    describe('auto mode and other users’ accounts', () => {
      let stack: Stack;
      before(async () => {
        stack = await startStack({ store });
      });
      after(async () => stack?.close());

      it('does not decide the backend from an account that does not exist', async () => {
        const unknown = encodeURIComponent('712020:deadbeef-0000-4000-8000-000000000000');
        const card = await stack.api<{ profile: Record<string, string> }>(alice.accountId, 'GET', `/api/profile/${unknown}`);
        assert.equal(card.status, 200);
        assert.deepEqual(card.body.profile, {});
        const settings = await stack.api<AdminSettings>(admin.accountId, 'GET', '/api/admin/settings');
        assert.equal(settings.body.storage.detectedBackend, 'user-properties');
      });
    });

    describe('switching the storage mode', () => {
      let stack: Stack;
      before(async () => {
        // One attempt per call, so that a refused call stops the move instead of being retried.
        stack = await startStack({ store, settings: { KEEPSAKE_CACHE_TTL_SECONDS: 0, KEEPSAKE_CONFLUENCE_ATTEMPTS: 1 } });
      });
      after(async () => stack?.close());

      it('moves every user’s data to app properties and back, losing nothing', async () => {
        await stack.api(alice.accountId, 'PATCH', '/api/preferences', { viewMode: 'compact' });
        await stack.api(alice.accountId, 'PUT', '/api/profile', { pronouns: 'she/her' });
        await stack.api(bob.accountId, 'PATCH', '/api/preferences', { tracking: { analytics: true } });
        const before = await stack.api<View>(alice.accountId, 'GET', '/api/preferences');

        const toApp = await putMode(stack, 'app-properties');
        assert.equal(toApp.status, 200, JSON.stringify(toApp.body));
        assert.equal(toApp.body.storage.activeBackend, 'app-properties');
        assert.deepEqual(
          (await userPropertyKeys(stack, alice.accountId)).filter((k) => k.startsWith('keepsake-')),
          [],
          'the old copy is removed',
        );
        assert.ok((await appPropertyKeys(stack)).length >= 2);
        const moved = await stack.api<View>(alice.accountId, 'GET', '/api/preferences');
        assert.deepEqual({ ...moved.body, backend: 'x' }, { ...before.body, backend: 'x' });
        assert.equal(moved.body.backend, 'app-properties');
        const bobs = await stack.api<{ tracking: { analytics: boolean } }>(bob.accountId, 'GET', '/api/preferences');
        assert.equal(bobs.body.tracking.analytics, true);

        const back = await putMode(stack, 'user-properties');
        assert.equal(back.status, 200, JSON.stringify(back.body));
        assert.deepEqual(await appPropertyKeys(stack), []);
        const home = await stack.api<View>(alice.accountId, 'GET', '/api/preferences');
        assert.deepEqual(home.body, before.body);
      });

      it('reports a move cut short by Confluence and finishes it on retry', async () => {
        // Confluence throttles Keepsake after 3 calls a second: the admin check passes, the move
        // (about 5 calls a user) is cut short with figures, and nothing is lost.
        await stack.control('POST', '/faults', { rateLimitPerSecond: 3 });
        const failed = await putMode(stack, 'app-properties');
        assert.equal(failed.status, 429, JSON.stringify(failed.body));
        assert.ok(failed.headers.get('retry-after'));
        assert.match(failed.body.message ?? '', /Save the settings again to continue/);
        assert.equal(typeof failed.body.details?.remaining, 'number');
        await stack.control('POST', '/faults', { rateLimitPerSecond: null });
        const status = await stack.api<AdminSettings>(admin.accountId, 'GET', '/api/admin/settings');
        assert.ok(status.body.storage.move, 'the unfinished move is visible to the admin');
        const retried = await stack.api<AdminSettings>(admin.accountId, 'POST', '/api/admin/storage/move');
        assert.equal(retried.status, 200, JSON.stringify(retried.body));
        assert.equal(retried.body.storage.move, null);
        assert.equal(retried.body.storage.activeBackend, 'app-properties');
        const alices = await stack.api<View>(alice.accountId, 'GET', '/api/preferences');
        assert.equal(alices.body.viewMode, 'compact');
        assert.equal(alices.body.profile.pronouns, 'she/her');
      });
    });

    describe('large sets', () => {
      let stack: Stack;
      before(async () => {
        stack = await startStack({ store, settings: { KEEPSAKE_CACHE_TTL_SECONDS: 0 } });
      });
      after(async () => stack?.close());

      it('splits hundreds of bookmarks across properties under the value limit, and reads them all back', async () => {
        for (let batch = 0; batch < 4; batch++) {
          const reply = await stack.api(alice.accountId, 'POST', '/api/migrations/cookies', {
            cookies: {
              keepsake_bookmarks: legacyPageArray(120, 10_000 + batch * 120, 60),
              keepsake_watches: legacyPageArray(60, 50_000 + batch * 60, 60),
            },
          });
          assert.equal(reply.status, 200, JSON.stringify(reply.body));
        }
        const view = await stack.api<View>(alice.accountId, 'GET', '/api/preferences');
        assert.equal(view.body.bookmarks.length, 480);
        assert.equal(view.body.watches.length, 240);
        assert.equal(new Set(view.body.bookmarks.map((b) => b.contentId)).size, 480);
        const keys = (await userPropertyKeys(stack, alice.accountId)).filter((k) => k.startsWith('keepsake-'));
        assert.ok(keys.length > 2, `spilled into ${keys.join(', ')}`);
        for (const key of keys) {
          const property = await stack.apRequest<{ value: unknown }>(alice.accountId, 'GET', `/rest/api/user/${encodeURIComponent(alice.accountId)}/property/${key}`);
          assert.ok(JSON.stringify(property.json.value).length <= 32_768, `${key} is within the limit`);
        }
      });

      it('removes the chunks of the replaced generation after a write', async () => {
        const before = (await userPropertyKeys(stack, alice.accountId)).filter((k) => k.startsWith('keepsake-'));
        const view = await stack.api<View>(alice.accountId, 'GET', '/api/preferences');
        const removed = await stack.api<View>(alice.accountId, 'DELETE', `/api/bookmarks/${view.body.bookmarks[0].contentId}`);
        assert.equal(removed.body.bookmarks.length, 479);
        const after = (await userPropertyKeys(stack, alice.accountId)).filter((k) => k.startsWith('keepsake-'));
        assert.equal(after.length, before.length, `one generation of chunks: ${after.join(', ')}`);
        assert.deepEqual(after.filter((k) => before.includes(k)), ['keepsake-main']);
      });
    });

    describe('a write cut short', () => {
      let stack: Stack;
      before(async () => {
        // One attempt per call, so that a throttled call stops the write where it is.
        stack = await startStack({ store, settings: { KEEPSAKE_CACHE_TTL_SECONDS: 0, KEEPSAKE_CONFLUENCE_ATTEMPTS: 1 } });
      });
      after(async () => stack?.close());

      it('leaves the previous generation whole, and the retry completes it', async () => {
        const first = legacyPageArray(150, 20_000, 60);
        const seeded = await stack.api(alice.accountId, 'POST', '/api/migrations/cookies', { cookies: { keepsake_bookmarks: first } });
        assert.equal(seeded.status, 200, JSON.stringify(seeded.body));
        const second = legacyPageArray(150, 30_000, 60);
        // Three calls a second: the write reads `main`, puts two chunks, and is refused the next.
        await stack.control('DELETE', '/requests');
        await stack.control('POST', '/faults', { rateLimitPerSecond: 3 });
        const cut = await stack.api<{ code: string }>(alice.accountId, 'POST', '/api/migrations/cookies', { cookies: { keepsake_bookmarks: second } });
        assert.equal(cut.status, 429, JSON.stringify(cut.body));
        const log = await stack.control<{ method: string; path: string; status: number }[]>('GET', '/requests');
        assert.ok(
          log.body.some((e) => /property\/keepsake-bookmarks-/.test(e.path) && e.status < 300),
          'the cut write had already stored chunks of the new generation',
        );
        await stack.control('POST', '/faults', { rateLimitPerSecond: null });

        const after = await stack.api<View>(alice.accountId, 'GET', '/api/preferences');
        assert.equal(after.body.tampered, false);
        assert.equal(after.body.bookmarks.length, 150, 'exactly the first generation: nothing lost, nothing half-written');
        const retried = await stack.api<{ preferences: View }>(alice.accountId, 'POST', '/api/migrations/cookies', { cookies: { keepsake_bookmarks: second } });
        assert.equal(retried.status, 200);
        assert.equal(retried.body.preferences.bookmarks.length, 300);
        const keys = (await userPropertyKeys(stack, alice.accountId)).filter((k) => k.startsWith('keepsake-'));
        const generations = new Set(keys.filter((k) => k !== 'keepsake-main').map((k) => k.split('-')[2]));
        assert.equal(generations.size, 1, `one generation of chunks left: ${keys.join(', ')}`);
      });
    });

    describe('tamper evidence', () => {
      let stack: Stack;
      const mainPath = `/rest/api/user/${encodeURIComponent(alice.accountId)}/property/keepsake-main`;
      before(async () => {
        stack = await startStack({ store, settings: { KEEPSAKE_CACHE_TTL_SECONDS: 0 }, emulatorSettings: { asUserRestriction: false } });
        await stack.api(alice.accountId, 'PUT', '/api/profile', { pronouns: 'she/her', note: 'Docs person' });
      });
      after(async () => stack?.close());

      it('flags a value bob changed with AP.request, and never shows it as alice’s profile', async () => {
        const original = await stack.apRequest<{ value: Record<string, unknown> }>(bob.accountId, 'GET', mainPath);
        assert.equal(original.status, 200, 'the restriction is off, as in the community thread');
        const forged = { ...original.json.value, profile: { pronouns: 'he/him', note: 'I am bob now' } };
        const put = await stack.apRequest(bob.accountId, 'PUT', mainPath, { value: forged });
        assert.equal(put.status, 204);

        const seen = await stack.api<{ profile: Record<string, string>; tampered: boolean }>(carolId(), 'GET', `/api/profile/${encodeURIComponent(alice.accountId)}`);
        assert.equal(seen.body.tampered, true);
        assert.notEqual(seen.body.profile.note, 'I am bob now');
        const own = await stack.api<View>(alice.accountId, 'GET', '/api/preferences');
        assert.equal(own.body.tampered, true);
        assert.equal(own.body.profile.note, 'Docs person', 'alice sees her last good copy');
      });

      it('lets alice repair it: her last good copy is written back, sealed', async () => {
        const repaired = await stack.api<View>(alice.accountId, 'POST', '/api/preferences/repair');
        assert.equal(repaired.status, 200);
        assert.equal(repaired.body.tampered, false);
        const stored = await stack.apRequest<{ value: { profile: { note: string } } }>(alice.accountId, 'GET', mainPath);
        assert.equal(stored.json.value.profile.note, 'Docs person');
        const seen = await stack.api<{ profile: Record<string, string>; tampered: boolean }>(bob.accountId, 'GET', `/api/profile/${encodeURIComponent(alice.accountId)}`);
        assert.deepEqual(seen.body, { accountId: alice.accountId, profile: { pronouns: 'she/her', note: 'Docs person' }, tampered: false });
      });

      it('catches an older sealed record put back (her withdrawn consent must not return)', async () => {
        await stack.api(alice.accountId, 'PATCH', '/api/preferences', { tracking: { analytics: true } });
        const old = await stack.apRequest<{ value: unknown }>(bob.accountId, 'GET', mainPath);
        await stack.api(alice.accountId, 'PATCH', '/api/preferences', { tracking: { analytics: false } });
        assert.equal((await stack.apRequest(bob.accountId, 'PUT', mainPath, { value: old.json.value })).status, 204);
        const view = await stack.api<View & { tracking: { analytics: boolean } }>(alice.accountId, 'GET', '/api/preferences');
        assert.equal(view.body.tampered, true);
        assert.equal(view.body.tracking.analytics, false);
        assert.equal((await stack.api<View>(alice.accountId, 'POST', '/api/preferences/repair')).body.tampered, false);
      });

      it('catches a removed record and restores the last good copy on repair', async () => {
        assert.equal((await stack.apRequest(bob.accountId, 'DELETE', mainPath)).status, 204);
        const view = await stack.api<View>(alice.accountId, 'GET', '/api/preferences');
        assert.equal(view.body.tampered, true);
        assert.equal(view.body.profile.note, 'Docs person', 'her last good copy, not an empty one');
        const repaired = await stack.api<View>(alice.accountId, 'POST', '/api/preferences/repair');
        assert.equal(repaired.body.tampered, false);
        assert.equal((await stack.apRequest(alice.accountId, 'GET', mainPath)).status, 200);
      });

      it('detects alice’s record copied under bob’s key', async () => {
        const alices = await stack.apRequest<{ value: unknown }>(alice.accountId, 'GET', mainPath);
        const bobPath = `/rest/api/user/${encodeURIComponent(bob.accountId)}/property/keepsake-main`;
        const created = await stack.apRequest(bob.accountId, 'POST', bobPath, { value: alices.json.value });
        assert.equal(created.status, 201);
        const bobs = await stack.api<View>(bob.accountId, 'GET', '/api/preferences');
        assert.equal(bobs.body.tampered, true);
        assert.deepEqual(bobs.body.profile, {});
      });
    });
  });
}

function carolId(): string {
  return SEEDED_USERS.carol.accountId;
}
