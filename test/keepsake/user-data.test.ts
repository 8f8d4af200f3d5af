// Each user's own rights (issue 10, item 4): "Download my data" returns everything Keepsake
// holds about the caller and where it is kept; "Delete my data" erases all of it — in
// Confluence (on either backend), in Keepsake's database and in memory — after which Keepsake
// treats them as a new user. Nothing of another user is touched.
import assert from 'node:assert/strict';
import { QueryTypes } from 'sequelize';
import { SEEDED_USERS } from '../../emulator';
import { APP_KEY, startStack, storeKinds, type Stack } from '../support/keepsake-stack';
import type { PreferencesSummary } from '../../lib/preferences/preferences-summary';
import { openedBucket, openedBucketRecord } from '../support/stored-records';

const { alice, bob, admin } = SEEDED_USERS;

interface Export {
  accountId: string;
  preferences: {
    viewMode?: string;
    bookmarks: { contentId: string; title: string }[];
    watches: { contentId: string }[];
    profile?: Record<string, string>;
  } | null;
  storage: {
    confluence: { backend: string; records: string[]; encrypted: boolean };
    database: { cachedCopy: boolean; cookieMigrations: number };
  };
  cookieMigrations: { cookie: string; outcome: string }[];
}
/** Keepsake's rows about an account, read from its tables directly. */
async function rowsAbout(stack: Stack, accountId: string): Promise<number> {
  const db = stack.keepsake.keepsake.sequelize;
  let rows = 0;
  for (const table of ['keepsake_preference_cache', 'keepsake_cookie_migrations']) {
    const [{ n }] = await db.query<{ n: number | string }>(
      `SELECT COUNT(*) AS n FROM ${table} WHERE "clientKey" = :clientKey AND "accountId" = :accountId`,
      {
        replacements: { clientKey: stack.clientKey, accountId },
        type: QueryTypes.SELECT,
      },
    );
    rows += Number(n);
  }
  return rows;
}

async function keepsakeUserProperties(stack: Stack, accountId: string): Promise<string[]> {
  const reply = await stack.apRequest<{ results: { key: string }[] }>(
    accountId,
    'GET',
    `/rest/api/user/${encodeURIComponent(accountId)}/property?limit=25`,
  );
  return reply.status === 200 ? reply.json.results.map((r) => r.key).filter((k) => k.startsWith('keepsake-')) : [];
}

async function appPropertyKeys(stack: Stack): Promise<string[]> {
  const reply = await stack.apRequest<{ keys: { key: string }[] }>(
    admin.accountId,
    'GET',
    `/rest/atlassian-connect/1/addons/${APP_KEY}/properties`,
  );
  return reply.json.keys.map((k) => k.key);
}

async function fillIn(stack: Stack, accountId: string): Promise<void> {
  assert.equal((await stack.api(accountId, 'PATCH', '/api/preferences', { viewMode: 'focus', tracking: { analytics: true } })).status, 200);
  assert.equal((await stack.api(accountId, 'POST', '/api/bookmarks', { contentId: '65602' })).status, 200);
  assert.equal((await stack.api(accountId, 'POST', '/api/watches', { contentId: '65603' })).status, 200);
  assert.equal((await stack.api(accountId, 'PUT', '/api/profile', { pronouns: 'they/them', note: 'Ask me' })).status, 200);
  const migrated = await stack.api(accountId, 'POST', '/api/migrations/cookies', {
    cookies: { keepsake_bookmarks: '65604', keepsake_tracking: 'analytics:maybe' },
  });
  assert.equal(migrated.status, 200, JSON.stringify(migrated.body));
}

for (const store of storeKinds()) {
  for (const backend of ['user-properties', 'app-properties'] as const) {
    describe(`a user's own data: download and delete (${store}, ${backend})`, () => {
      let stack: Stack;
      before(async () => {
        stack = await startStack({ store });
        if (backend === 'app-properties') await stack.control('POST', '/faults', { userPropertiesOff: true });
        await fillIn(stack, alice.accountId);
        await fillIn(stack, bob.accountId);
      });
      after(async () => stack?.close());

      it('downloads everything Keepsake holds about the caller, and where it is kept', async () => {
        const reply = await stack.api<Export>(alice.accountId, 'GET', '/api/me/export');
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        assert.match(reply.headers.get('content-disposition') ?? '', /attachment; filename="keepsake-my-data.json"/);
        assert.equal(reply.headers.get('cache-control'), 'no-store');
        const data = reply.body;
        assert.equal(data.accountId, alice.accountId);
        assert.equal(data.preferences?.viewMode, 'focus');
        assert.deepEqual(data.preferences?.bookmarks.map((b) => b.contentId).sort(), ['65602', '65604']);
        assert.equal(data.preferences?.bookmarks.find((b) => b.contentId === '65602')?.title, 'Release checklist');
        assert.deepEqual(
          data.preferences?.watches.map((w) => w.contentId),
          ['65603'],
        );
        assert.deepEqual(data.preferences?.profile, { pronouns: 'they/them', note: 'Ask me' });
        assert.equal(data.storage.confluence.backend, backend);
        assert.ok(data.storage.confluence.records.includes('main'), JSON.stringify(data.storage));
        assert.equal(data.storage.database.cachedCopy, true);
        assert.deepEqual(data.cookieMigrations.map((m) => `${m.cookie}:${m.outcome}`).sort(), [
          'keepsake_bookmarks:migrated',
          'keepsake_tracking:rejected',
        ]);
        assert.equal(data.storage.database.cookieMigrations, 2);
        assert.doesNotMatch(JSON.stringify(data), new RegExp(bob.accountId), 'nothing of bob’s');
      });

      it('deletes all of it everywhere, and treats the caller as a new user afterwards; bob keeps his', async () => {
        const bobsKeysBefore =
          backend === 'app-properties' ? await appPropertyKeys(stack) : await keepsakeUserProperties(stack, bob.accountId);
        assert.ok((await rowsAbout(stack, alice.accountId)) > 0);
        const deleted = await stack.api<{ erased: { confluenceRecords: number; cookieMigrations: number } }>(
          alice.accountId,
          'DELETE',
          '/api/me',
        );
        assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
        assert.ok(deleted.body.erased.confluenceRecords >= 1);
        assert.equal(deleted.body.erased.cookieMigrations, 2);

        assert.equal(await rowsAbout(stack, alice.accountId), 0, 'no row about alice in Keepsake’s tables');
        if (backend === 'user-properties') {
          assert.deepEqual(await keepsakeUserProperties(stack, alice.accountId), [], 'no keepsake-* user property of alice’s');
          assert.deepEqual(await keepsakeUserProperties(stack, bob.accountId), bobsKeysBefore, 'bob’s untouched');
        } else {
          // Users share buckets (by keyed hash), so a bucket may stay for bob: what matters is
          // that no bucket holds anything of alice's and bob's record is still in his.
          const left = await appPropertyKeys(stack);
          assert.ok(left.length > 0 && left.length <= bobsKeysBefore.length, `bob’s bucket left: ${left.join(', ')}`);
          const site = await stack.keepsake.keepsake.sites.get(stack.clientKey);
          assert.ok(site);
          const buckets = new Set(left.map((key) => Number(/^kb-(\d+)\./.exec(key)?.[1])));
          for (const bucket of buckets) {
            const content = await openedBucket((path) => stack.apRequest(admin.accountId, 'GET', path), site.siteKey, bucket);
            assert.equal(content.members[alice.accountId], undefined, `nothing of alice’s in bucket ${bucket}`);
          }
          assert.ok(await openedBucketRecord(stack, bob.accountId), 'bob’s record left in his bucket');
        }

        const fresh = await stack.api<PreferencesSummary>(alice.accountId, 'GET', '/api/preferences');
        assert.equal(fresh.body.viewMode, 'comfortable', 'the site default, as for a new user');
        assert.equal(fresh.body.bookmarkCount, 0);
        assert.deepEqual(fresh.body.profile, {});
        const card = await stack.api<{ profile: Record<string, string> }>(
          bob.accountId,
          'GET',
          `/api/profile/${encodeURIComponent(alice.accountId)}`,
        );
        assert.deepEqual(card.body.profile, {}, 'her public card is gone for others too');
        const bobs = await stack.api<PreferencesSummary>(bob.accountId, 'GET', '/api/preferences');
        assert.equal(bobs.body.viewMode, 'focus');
        assert.deepEqual(bobs.body.profile, { pronouns: 'they/them', note: 'Ask me' });
        const again = await stack.api<Export>(alice.accountId, 'GET', '/api/me/export');
        assert.equal(again.body.preferences, null);
        assert.deepEqual(again.body.cookieMigrations, []);
      });
    });
  }
}
