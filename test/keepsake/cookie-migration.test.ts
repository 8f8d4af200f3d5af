import assert from 'node:assert/strict';
import { SEEDED_USERS } from '../../emulator';
import { legacyPageArray } from '../support/legacy-pages';
import type { CookieResult } from '../../lib/legacy-cookies/legacy-cookies';
import { startStack, storeKinds, type Stack } from '../support/keepsake-stack';
import type { SiteStats } from '../../lib/api/answers';

const alice = SEEDED_USERS.alice.accountId;
const admin = SEEDED_USERS.admin.accountId;

interface Migration {
  results: CookieResult[];
  preferences: {
    viewMode: string;
    tracking: Record<string, boolean>;
    bookmarks: { contentId: string; title: string }[];
    watches: { contentId: string }[];
  };
}
const byCookie = (results: CookieResult[]) => Object.fromEntries(results.map((r) => [r.cookie, r]));

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
      // The answer's preferences are what was stored (persisted before the answer).
      const stored = reply.body.preferences;
      assert.equal(stored.viewMode, 'focus');
      assert.deepEqual(stored.tracking, { analytics: true, productEmails: false });
      assert.deepEqual(
        stored.bookmarks.map((b) => [b.contentId, b.title]),
        [['65601', 'Onboarding']],
      );
      assert.deepEqual(
        stored.watches.map((w) => w.contentId),
        ['65602', '65603'],
      );
    });

    it('reads the titles of bare legacy ids from Confluence, and dates them at the migration', async () => {
      const before = new Date().toISOString();
      const reply = await stack.api<Migration>(alice, 'POST', '/api/migrations/cookies', {
        cookies: { keepsake_watches: '65603,999999999' },
      });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      const watches = reply.body.preferences.watches as { contentId: string; title: string; addedAt: string }[];
      assert.deepEqual(
        watches.map((w) => [w.contentId, w.title]),
        [
          ['65603', 'On-call runbook'],
          ['999999999', ''],
        ],
        'an unreadable page keeps its entry',
      );
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
      const stats = await stack.api<SiteStats>(admin, 'GET', '/api/admin/stats');
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
      assert.equal(results.keepsake_view_mode.erase, false, 'an unreadable value stays in the browser');
      assert.match(results.keepsake_view_mode.message ?? '', /must be one of/);
      assert.equal(results.keepsake_tracking.outcome, 'rejected');
      assert.equal(results.keepsake_tracking.erase, false);
      assert.equal(results.other_app_cookie.outcome, 'ignored');
      assert.equal(results.other_app_cookie.erase, false, 'another app’s cookie is left alone');
      const stats = await stack.api<SiteStats>(admin, 'GET', '/api/admin/stats');
      assert.equal(stats.body.migrations.cookiesRejected, 2);
      assert.deepEqual(stats.body.migrations.rejectedByCode, { MALFORMED: 2, TRUNCATED: 1 });
    });

    it('drops the possibly cut last id of a truncated comma list, and leaves the list in the browser', async () => {
      const ids = Array.from({ length: 700 }, (_, i) => String(100_000 + i))
        .join(',')
        .slice(0, 4020);
      const reply = await stack.api<Migration>(alice, 'POST', '/api/migrations/cookies', { cookies: { keepsake_watches: ids } });
      const results = byCookie(reply.body.results);
      assert.equal(results.keepsake_watches.code, 'TRUNCATED');
      assert.equal(results.keepsake_watches.erase, false, 'the last id may be whole, and it was not stored');
      const last = reply.body.preferences.watches.at(-1)?.contentId ?? '';
      assert.equal(last.length, 6, 'every kept id is whole');
    });

    it('reads every format an older version could have left: plain values, comma lists, JSON arrays, the stored {value, expires} form', async () => {
      const wrapped = (value: string) => JSON.stringify({ value, expires: Date.UTC(2020, 0, 1) });
      const reply = await stack.api<Migration>(alice, 'POST', '/api/migrations/cookies', {
        cookies: {
          keepsake_view_mode: wrapped('compact'),
          keepsake_tracking: wrapped('analytics=true;productEmails=false'),
          keepsake_bookmarks: wrapped(JSON.stringify([{ id: 65601, title: 'Onboarding' }, '65602'])),
          keepsake_watches: JSON.stringify(['65603', 65604]),
          keepsake_saved_at: wrapped('2024-05-01T10:00:00Z'),
        },
      });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      for (const result of reply.body.results) assert.deepEqual([result.outcome, result.erase], ['migrated', true], result.cookie);
      const { preferences } = reply.body;
      assert.equal(preferences.viewMode, 'compact');
      assert.deepEqual(preferences.tracking, { analytics: true, productEmails: false });
      assert.deepEqual(
        preferences.bookmarks.map((b) => [b.contentId, b.title]),
        [
          ['65601', 'Onboarding'],
          ['65602', 'Release checklist'],
        ],
      );
      assert.deepEqual(
        preferences.watches.map((w) => w.contentId),
        ['65603', '65604'],
      );
    });

    it('leaves in the browser every value with something it could not read, and stores the rest', async () => {
      // AUI's read removes backslashes, so an escaped quote in a title spoils the JSON part-way.
      const spoilt = '[{"id":"65601","title":"Intro"},{"id":"65602","title":"The "big" plan"},{"id":"65603"}]';
      const reply = await stack.api<Migration>(alice, 'POST', '/api/migrations/cookies', {
        cookies: {
          keepsake_bookmarks: spoilt,
          keepsake_watches: '65604,not-a-page',
          keepsake_tracking: 'analytics:1,emails:0',
          keepsake_saved_at: 'last tuesday',
        },
      });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      const results = byCookie(reply.body.results);
      assert.deepEqual(
        Object.values(results).map((r) => [r.cookie, r.outcome, r.code, r.erase]),
        [
          ['keepsake_bookmarks', 'partial', 'INVALID_ENTRY', false],
          ['keepsake_watches', 'partial', 'INVALID_ENTRY', false],
          ['keepsake_tracking', 'partial', 'INVALID_ENTRY', false],
          ['keepsake_saved_at', 'rejected', 'MALFORMED', false],
        ],
      );
      assert.match(results.keepsake_bookmarks.message ?? '', /could not be read past 1 complete entry/);
      const { preferences } = reply.body;
      assert.deepEqual(
        preferences.bookmarks.map((b) => b.contentId),
        ['65601'],
      );
      assert.deepEqual(
        preferences.watches.map((w) => w.contentId),
        ['65604'],
      );
      assert.equal(preferences.tracking.analytics, true);
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
      const notStrings = await stack.api<{ code: string; message: string }>(alice, 'POST', '/api/migrations/cookies', {
        cookies: { keepsake_view_mode: 3 },
      });
      assert.equal(notStrings.status, 400);
      assert.equal(notStrings.body.code, 'INVALID_INPUT');
      const huge = await stack.api<{ code: string }>(alice, 'POST', '/api/migrations/cookies', {
        cookies: { keepsake_bookmarks: 'x'.repeat(20_000) },
      });
      assert.equal(huge.status, 413);
      assert.equal(huge.body.code, 'PAYLOAD_TOO_LARGE');
    });
  });
}
