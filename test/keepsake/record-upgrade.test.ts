// Records an earlier Keepsake wrote survive the upgrade to encrypted records (issue 8): a sealed
// plaintext user property (with a chunk, named the old way) and an app property in the old
// unpadded encryption are read as they are, shown without loss, and re-written in the current
// format on the first read; nothing of the old format is left in Confluence.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { SEEDED_USERS } from '../../emulator';
import { LegacyAppPropertyCipher } from '../../lib/storage/legacy-app-property-cipher';
import { LegacyRecordSeal } from '../../lib/storage/legacy-record-seal';
import { APP_KEY, startStack, storeKinds, type Stack } from '../support/keepsake-stack';
import { setIds } from '../support/set-entries';
import { openedBucketRecord, openedRecord, rawRecord } from '../support/stored-records';
import type { PreferencesSummary } from '../../lib/preferences/preferences-summary';

const { alice, bob, admin } = SEEDED_USERS;

const page = (id: string) => ({ contentId: id, title: `Page ${id}`, addedAt: '2026-01-02T03:04:05.000Z' });

/** A layout-1 main record as the previous version wrote it: gen 3, one bookmark chunk. */
const OLD_MAIN = {
  v: 1,
  gen: 3,
  viewMode: 'focus',
  profile: { pronouns: 'she/her', note: 'Kept since 2025' },
  updatedAt: { viewMode: '2026-01-02T03:04:05.000Z' },
  bookmarks: [page('65602')],
  watches: [page('65603')],
  spill: { bookmarks: 1 },
};
const OLD_CHUNK = { v: 1, items: [page('65604'), page('65605')] };

async function siteKey(stack: Stack): Promise<Buffer> {
  const site = await stack.keepsake.keepsake.sites.get(stack.clientKey);
  assert.ok(site);
  return site.siteKey;
}

for (const store of storeKinds()) {
  describe(`records of earlier versions (${store})`, () => {
    describe('in user properties: sealed plaintext', () => {
      let stack: Stack;
      before(async () => {
        stack = await startStack({ store, settings: { KEEPSAKE_CACHE_TTL_SECONDS: 0 } });
        // Detection first, through another user, so alice's own first request is a plain read.
        assert.equal((await stack.api(admin.accountId, 'GET', '/api/preferences')).status, 200);
        const seal = new LegacyRecordSeal(await siteKey(stack));
        const base = `/rest/api/user/${encodeURIComponent(alice.accountId)}/property`;
        for (const [name, content] of [
          ['bookmarks-3-0', OLD_CHUNK],
          ['main', OLD_MAIN],
        ] as const) {
          const put = await stack.apRequest(alice.accountId, 'POST', `${base}/keepsake-${name}`, {
            value: seal.seal(alice.accountId, name, content),
          });
          assert.equal(put.status, 201);
        }
      });
      after(async () => stack?.close());

      it('shows everything the old records hold, unflagged', async () => {
        const view = await stack.api<PreferencesSummary>(alice.accountId, 'GET', '/api/preferences');
        assert.equal(view.status, 200, JSON.stringify(view.body));
        assert.equal(view.body.tampered, false);
        assert.equal(view.body.viewMode, 'focus');
        assert.deepEqual(view.body.profile, OLD_MAIN.profile);
        assert.equal(view.body.bookmarkCount, 3);
        assert.deepEqual(await setIds((path) => stack.api(alice.accountId, 'GET', path), 'bookmarks'), ['65602', '65604', '65605']);
      });

      it('has re-written them in the current format, and removed the old chunk', async () => {
        const raw = await rawRecord(stack, alice.accountId);
        assert.deepEqual(Object.keys(raw ?? {}).sort(), ['box', 'k']);
        const content = await openedRecord(stack, alice.accountId);
        assert.equal(content.gen, 4, 'the next generation');
        assert.equal(content.viewMode, 'focus');
        assert.deepEqual(
          (content.bookmarks as { contentId: string }[]).map((b) => b.contentId),
          ['65602', '65604', '65605'],
        );
        assert.equal(await rawRecord(stack, alice.accountId, 'bookmarks-3-0'), undefined, 'the old chunk is gone');
      });

      it('keeps working: a change after the upgrade loses nothing', async () => {
        const patched = await stack.api<PreferencesSummary>(alice.accountId, 'PATCH', '/api/preferences', { viewMode: 'compact' });
        assert.equal(patched.body.viewMode, 'compact');
        assert.equal(patched.body.bookmarkCount, 3);
        assert.equal(patched.body.tampered, false);
      });
    });

    describe('in app properties: the old unpadded encryption', () => {
      let stack: Stack;
      before(async () => {
        stack = await startStack({ store, settings: { KEEPSAKE_CACHE_TTL_SECONDS: 0 } });
        await stack.control('POST', '/faults', { userPropertiesOff: true });
        assert.equal((await stack.api<PreferencesSummary>(admin.accountId, 'GET', '/api/preferences')).body.backend, 'app-properties');
        const key = await siteKey(stack);
        // The old key layout, which is also today's: u-{keyed hash of the account id}-{name}.
        const hash = createHmac('sha256', key).update(`account:${bob.accountId}`).digest('hex').slice(0, 32);
        const propertyKey = `u-${hash}-main`;
        const inline = { ...OLD_MAIN, bookmarks: [page('65602')], spill: undefined };
        const old = new LegacyAppPropertyCipher(key).encrypt(new LegacyRecordSeal(key).seal(bob.accountId, 'main', inline), propertyKey);
        const put = await stack.apRequest(
          admin.accountId,
          'PUT',
          `/rest/atlassian-connect/1/addons/${APP_KEY}/properties/${propertyKey}`,
          old,
        );
        assert.equal(put.status, 201);
      });
      after(async () => stack?.close());

      it('shows what the old value holds and moves it into bob’s bucket, sealed', async () => {
        const view = await stack.api<PreferencesSummary>(bob.accountId, 'GET', '/api/preferences');
        assert.equal(view.status, 200, JSON.stringify(view.body));
        assert.equal(view.body.backend, 'app-properties');
        assert.equal(view.body.tampered, false);
        assert.equal(view.body.viewMode, 'focus');
        assert.deepEqual(view.body.profile, OLD_MAIN.profile);
        assert.deepEqual(await setIds((path) => stack.api(bob.accountId, 'GET', path), 'bookmarks'), ['65602']);

        const keys = await stack.apRequest<{ keys: { key: string }[] }>(
          admin.accountId,
          'GET',
          `/rest/atlassian-connect/1/addons/${APP_KEY}/properties`,
        );
        assert.deepEqual(
          keys.json.keys.map((k) => k.key).filter((k) => k.startsWith('u-')),
          [],
          'no property of the old layout is left',
        );
        const moved = await openedBucketRecord(stack, bob.accountId);
        assert.equal(moved?.viewMode, 'focus', 'bob’s record opens with the site key, in his bucket, and holds his view mode');
      });
    });
  });
}
