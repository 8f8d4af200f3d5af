import assert from 'node:assert/strict';
import { SEEDED_USERS } from '../../emulator';
import { legacyPageArray } from '../support/legacy-pages';
import { startStack, storeKinds, type Stack } from '../support/keepsake-stack';

const alice = SEEDED_USERS.alice.accountId;
const admin = SEEDED_USERS.admin.accountId;

interface Result {
  cookie: string;
  outcome: string;
  erase: boolean;
  code?: string;
  message?: string;
}
interface Migration {
  results: Result[];
  preferences: { viewMode: string; tracking: Record<string, boolean>; bookmarks: { contentId: string; title: string }[]; watches: { contentId: string }[] };
}
interface Stats {
  usersWithPreferences: number;
  migrations: { users: number; cookiesMigrated: number; cookiesRejected: number; rejectedByCode: Record<string, number> };
  confluence: { calls: number; errors: number };
  storage: { activeBackend: string | null };
}

const byCookie = (results: Result[]) => Object.fromEntries(results.map((r) => [r.cookie, r]));

for (const store of storeKinds()) {
  describe(`AP.cookie migration (${store})`, () => {
    let stack: Stack;
    beforeEach(async () => {
      stack = await startStack({ store, settings: { KEEPSAKE_CACHE_TTL_SECONDS: 0 } });
    });
    afterEach(async () => stack?.close());

    it('stores every legacy value and says each cookie may now be erased', async () => {
      const reply = await stack.api<Migration>(alice, 'POST', '/api/migrations/cookies', {
        cookies: {
          keepsake_view_mode: 'focus',
          keepsake_tracking: 'analytics:1,productEmails:0',
          keepsake_bookmarks: JSON.stringify([{ id: '65601', title: 'Onboarding', at: 1700000000000 }]),
          keepsake_watches: '65602,65603',
          keepsake_saved_at: '1700000000000',
        },
      });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      const results = byCookie(reply.body.results);
      for (const name of ['keepsake_view_mode', 'keepsake_tracking', 'keepsake_bookmarks', 'keepsake_watches', 'keepsake_saved_at']) {
        assert.equal(results[name].outcome, 'migrated', name);
        assert.equal(results[name].erase, true, name);
      }
      const stored = await stack.api<Migration['preferences']>(alice, 'GET', '/api/preferences');
      assert.equal(stored.body.viewMode, 'focus');
      assert.deepEqual(stored.body.tracking, { analytics: true, productEmails: false });
      assert.deepEqual(stored.body.bookmarks.map((b) => [b.contentId, b.title]), [['65601', 'Onboarding']]);
      assert.deepEqual(stored.body.watches.map((w) => w.contentId), ['65602', '65603']);
    });

    it('reads the titles of bare legacy ids from Confluence, and dates them at the migration', async () => {
      const before = new Date().toISOString();
      const reply = await stack.api<Migration>(alice, 'POST', '/api/migrations/cookies', { cookies: { keepsake_watches: '65603,999999999' } });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      const watches = reply.body.preferences.watches as { contentId: string; title: string; addedAt: string }[];
      assert.deepEqual(watches.map((w) => [w.contentId, w.title]), [['65603', 'On-call runbook'], ['999999999', '']], 'an unreadable page keeps its entry');
      for (const w of watches) assert.ok(w.addedAt >= before, w.addedAt);
    });

    it('changes nothing when the same cookies arrive twice', async () => {
      const cookies = { keepsake_view_mode: 'compact', keepsake_watches: '65602', keepsake_saved_at: '1700000000000' };
      await stack.api(alice, 'POST', '/api/migrations/cookies', { cookies });
      await stack.control('DELETE', '/requests');
      const second = await stack.api<Migration>(alice, 'POST', '/api/migrations/cookies', { cookies });
      assert.equal(second.status, 200);
      const log = await stack.control<{ method: string; path: string }[]>('GET', '/requests');
      // Reads only (the permission check is a POST that reads).
      const writes = log.body.filter((e) => e.method !== 'GET' && !e.path.endsWith('/permission/check'));
      assert.deepEqual(writes, [], 'no write reached Confluence');
      const stats = await stack.api<Stats>(admin, 'GET', '/api/admin/stats');
      assert.equal(stats.body.migrations.users, 1);
      assert.equal(stats.body.migrations.cookiesMigrated, 3);
    });

    it('unites the sets of two browsers and keeps the newest single values', async () => {
      await stack.api(alice, 'POST', '/api/migrations/cookies', {
        cookies: { keepsake_bookmarks: '65601,65602', keepsake_view_mode: 'compact', keepsake_saved_at: '2024-05-01T10:00:00Z' },
      });
      // An older browser: its view mode is older than the stored one, its bookmarks still count.
      const older = await stack.api<Migration>(alice, 'POST', '/api/migrations/cookies', {
        cookies: { keepsake_bookmarks: '65602,65603', keepsake_view_mode: 'focus', keepsake_saved_at: '2024-01-01T10:00:00Z' },
      });
      assert.deepEqual(older.body.preferences.bookmarks.map((b) => b.contentId).sort(), ['65601', '65602', '65603']);
      assert.equal(older.body.preferences.viewMode, 'compact');
      // A newer browser wins the single value.
      const newer = await stack.api<Migration>(alice, 'POST', '/api/migrations/cookies', {
        cookies: { keepsake_view_mode: 'focus', keepsake_saved_at: '2024-09-01T10:00:00Z' },
      });
      assert.equal(newer.body.preferences.viewMode, 'focus');
    });

    it('keeps what a truncated cookie still holds, reports the rest, and rejects the unreadable', async () => {
      const full = legacyPageArray(80, 70_000, 60);
      const truncated = full.slice(0, 4020);
      const reply = await stack.api<Migration>(alice, 'POST', '/api/migrations/cookies', {
        cookies: { keepsake_bookmarks: truncated, keepsake_view_mode: 'sideways', keepsake_tracking: '%%%', other_app_cookie: 'x' },
      });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      const results = byCookie(reply.body.results);
      assert.equal(results.keepsake_bookmarks.outcome, 'partial');
      assert.equal(results.keepsake_bookmarks.code, 'TRUNCATED');
      assert.equal(results.keepsake_bookmarks.erase, true);
      const kept = reply.body.preferences.bookmarks.length;
      assert.ok(kept > 30 && kept < 80, `kept ${kept} complete entries`);
      assert.equal(results.keepsake_view_mode.outcome, 'rejected');
      assert.equal(results.keepsake_view_mode.code, 'MALFORMED');
      assert.match(results.keepsake_view_mode.message ?? '', /must be one of/);
      assert.equal(results.keepsake_tracking.outcome, 'rejected');
      assert.equal(results.other_app_cookie.outcome, 'ignored');
      assert.equal(results.other_app_cookie.erase, false, 'another app’s cookie is left alone');
      const stats = await stack.api<Stats>(admin, 'GET', '/api/admin/stats');
      assert.equal(stats.body.migrations.cookiesRejected, 2);
      assert.deepEqual(stats.body.migrations.rejectedByCode, { MALFORMED: 2, TRUNCATED: 1 });
    });

    it('drops the possibly cut last id of a truncated comma list', async () => {
      const ids = Array.from({ length: 700 }, (_, i) => String(100_000 + i)).join(',').slice(0, 4020);
      const reply = await stack.api<Migration>(alice, 'POST', '/api/migrations/cookies', { cookies: { keepsake_watches: ids } });
      const results = byCookie(reply.body.results);
      assert.equal(results.keepsake_watches.code, 'TRUNCATED');
      const last = reply.body.preferences.watches.at(-1)?.contentId ?? '';
      assert.equal(last.length, 6, 'every kept id is whole');
    });

    it('keeps a cookie whose pages do not all fit in a full set, so nothing is lost', async () => {
      const ids = Array.from({ length: 1005 }, (_, i) => String(200_000 + i)).join(',');
      const reply = await stack.api<Migration>(alice, 'POST', '/api/migrations/cookies', { cookies: { keepsake_bookmarks: ids } });
      assert.equal(reply.status, 200, JSON.stringify(reply.body).slice(0, 300));
      assert.equal(reply.body.preferences.bookmarks.length, 1000);
      const result = byCookie(reply.body.results).keepsake_bookmarks;
      assert.equal(result.code, 'LIMIT_REACHED');
      assert.equal(result.erase, false, 'the pages that did not fit are only in the cookie');
    });

    it('answers bad bodies with structured errors', async () => {
      const notStrings = await stack.api<{ code: string; message: string }>(alice, 'POST', '/api/migrations/cookies', { cookies: { keepsake_view_mode: 3 } });
      assert.equal(notStrings.status, 400);
      assert.equal(notStrings.body.code, 'INVALID_INPUT');
      const huge = await stack.api<{ code: string }>(alice, 'POST', '/api/migrations/cookies', { cookies: { keepsake_bookmarks: 'x'.repeat(20_000) } });
      assert.equal(huge.status, 413);
      assert.equal(huge.body.code, 'PAYLOAD_TOO_LARGE');
    });
  });
}
