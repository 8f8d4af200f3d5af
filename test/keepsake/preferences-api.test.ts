import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { SEEDED_USERS } from '../../emulator';
import type { PreferencesSummary, PreferencesView, SetChange, SetPage } from '../../frontend/shared/api-types';
import { APP_KEY, request, startStack, storeKinds, type Reply, type Stack } from '../support/keepsake-stack';

const alice = SEEDED_USERS.alice.accountId;
const bob = SEEDED_USERS.bob.accountId;
const carol = SEEDED_USERS.carol.accountId;

type View = PreferencesSummary;
interface ErrorBody {
  code: string;
  message: string;
  details?: { problems?: { field: string; message: string }[] };
}
interface PageList {
  id: string;
  title: string;
}

for (const store of storeKinds()) {
  describe(`preferences API (${store})`, () => {
    let stack: Stack;
    let pages: PageList[];
    before(async () => {
      stack = await startStack({ store });
      pages = await seededPages(stack);
    });
    after(async () => stack?.close());

    it('gives a user who never saved anything the site defaults, stored in user properties', async () => {
      const reply = await stack.api<View>(alice, 'GET', '/api/preferences');
      assert.equal(reply.status, 200);
      assert.equal(reply.body.accountId, alice);
      assert.equal(reply.body.viewMode, 'comfortable');
      assert.deepEqual(reply.body.tracking, { analytics: false, productEmails: false });
      assert.equal(reply.body.bookmarkCount, 0);
      assert.equal(reply.body.watchCount, 0);
      assert.ok(!('bookmarks' in reply.body) && !('watches' in reply.body), 'the sets are read page by page, not with the preferences');
      assert.equal(reply.body.backend, 'user-properties');
      assert.equal(reply.body.tampered, false);
    });

    it('saves a partial update in the caller’s own user property', async () => {
      const reply = await stack.api<View>(alice, 'PATCH', '/api/preferences', { viewMode: 'compact', tracking: { analytics: true } });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.equal(reply.body.viewMode, 'compact');
      assert.deepEqual(reply.body.tracking, { analytics: true, productEmails: false });
      const stored = await userProperty(stack, alice, 'keepsake-main');
      assert.equal(stored.status, 200);
      // Stored encrypted: what Confluence holds names neither the value nor the field.
      const value = (stored.body as { value: Record<string, unknown> }).value;
      assert.deepEqual(Object.keys(value).sort(), ['box', 'k']);
      assert.doesNotMatch(JSON.stringify(value), /compact|viewMode|analytics/);
      const again = await stack.api<View>(alice, 'GET', '/api/preferences');
      assert.equal(again.body.viewMode, 'compact');
    });

    it('keeps the panel collapsed for the user, validated like every value', async () => {
      assert.equal((await stack.api<View & { panelCollapsed: boolean }>(alice, 'GET', '/api/preferences')).body.panelCollapsed, false);
      const collapsed = await stack.api<View & { panelCollapsed: boolean }>(alice, 'PATCH', '/api/preferences', { panelCollapsed: true });
      assert.equal(collapsed.body.panelCollapsed, true);
      const bad = await stack.api<ErrorBody>(alice, 'PATCH', '/api/preferences', { panelCollapsed: 'yes' });
      assert.equal(bad.status, 400);
      assert.match(bad.body.message, /panelCollapsed must be true or false/);
      await stack.api(alice, 'PATCH', '/api/preferences', { panelCollapsed: false });
    });

    it('rejects invalid values with a code and the field at fault, before calling Confluence', async () => {
      await stack.control('DELETE', '/requests');
      const reply = await stack.api<ErrorBody>(alice, 'PATCH', '/api/preferences', { viewMode: 'sideways', colour: 'red' });
      assert.equal(reply.status, 400);
      assert.equal(reply.body.code, 'INVALID_INPUT');
      assert.match(reply.body.message, /viewMode must be one of: comfortable, compact, focus/);
      assert.match(reply.body.message, /unknown field: colour/);
      const calls = await stack.control<unknown[]>('GET', '/requests');
      assert.equal(calls.body.length, 0, 'no call reached Confluence');
    });

    it('answers malformed JSON with INVALID_INPUT, not a stack trace', async () => {
      const token = await stack.contextToken(alice);
      const reply = await request<ErrorBody>(`${stack.keepsake.url}/api/preferences`, 'PATCH', '{"viewMode": ', {
        Authorization: `JWT ${token}`,
        'Content-Type': 'application/json',
      });
      assert.equal(reply.status, 400);
      assert.equal(reply.body.code, 'INVALID_INPUT');
      assert.doesNotMatch(JSON.stringify(reply.body), /at .*\.js/);
    });

    it('adds a bookmark with the page title, idempotently, and removes it', async () => {
      const page = pages[0];
      const first = await stack.api<SetChange>(alice, 'POST', '/api/bookmarks', { contentId: page.id });
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual(first.body.page, { contentId: page.id, bookmarked: true, watched: false });
      assert.equal(first.body.bookmarkCount, 1);
      const listed = await stack.api<SetPage>(alice, 'GET', '/api/bookmarks');
      assert.deepEqual(
        listed.body.items.map((b) => [b.contentId, b.title]),
        [[page.id, page.title]],
      );
      const second = await stack.api<SetChange>(alice, 'POST', '/api/bookmarks', { contentId: page.id });
      assert.equal(second.body.bookmarkCount, 1);
      const removed = await stack.api<SetChange>(alice, 'DELETE', `/api/bookmarks/${page.id}`);
      assert.equal(removed.status, 200);
      assert.equal(removed.body.bookmarkCount, 0);
      assert.equal(removed.body.page.bookmarked, false);
      assert.deepEqual((await stack.api<SetPage>(alice, 'GET', '/api/bookmarks')).body, { items: [], total: 0, nextCursor: null });
      const again = await stack.api<SetChange>(alice, 'DELETE', `/api/bookmarks/${page.id}`);
      assert.equal(again.status, 200);
    });

    it('keeps watches apart from bookmarks', async () => {
      const reply = await stack.api<SetChange>(alice, 'POST', '/api/watches', { contentId: pages[1].id });
      assert.deepEqual(reply.body.page, { contentId: pages[1].id, bookmarked: false, watched: true });
      assert.deepEqual(
        (await stack.api<SetPage>(alice, 'GET', '/api/watches')).body.items.map((w) => w.contentId),
        [pages[1].id],
      );
      assert.deepEqual((await stack.api<SetPage>(alice, 'GET', '/api/bookmarks')).body.items, []);
    });

    it('never reveals the title of a page the user may not read', async () => {
      const secret = await stack.control<{ id: string }>('POST', '/pages', { spaceKey: 'HR', title: 'Layoff plan', viewers: [bob] });
      assert.equal(secret.status, 201);
      const alices = await stack.api<ErrorBody>(alice, 'POST', '/api/bookmarks', { contentId: secret.body.id });
      assert.equal(alices.status, 404);
      assert.doesNotMatch(JSON.stringify(alices.body), /Layoff/);
      const migrated = await stack.api<{ preferences: PreferencesView }>(alice, 'POST', '/api/migrations/cookies', {
        cookies: { keepsake_watches: secret.body.id },
      });
      assert.deepEqual(
        migrated.body.preferences.watches.filter((w) => w.contentId === secret.body.id).map((w) => w.title),
        [''],
        'kept, without its title',
      );
      const bobs = await stack.api<SetChange>(bob, 'POST', '/api/bookmarks', { contentId: secret.body.id });
      assert.equal(bobs.status, 200);
      assert.equal(bobs.body.page.bookmarked, true);
      const newest = await stack.api<SetPage>(bob, 'GET', '/api/bookmarks?limit=1');
      assert.equal(newest.body.items[0]?.title, 'Layoff plan');
    });

    it('refuses a bookmark of a page that does not exist', async () => {
      const reply = await stack.api<ErrorBody>(alice, 'POST', '/api/bookmarks', { contentId: '999999999' });
      assert.equal(reply.status, 404);
      assert.equal(reply.body.code, 'NOT_FOUND');
    });

    it('shows a public profile card to everyone and lets only its owner write it', async () => {
      const put = await stack.api<View>(alice, 'PUT', '/api/profile', { pronouns: 'she/her', note: 'Ask me about docs' });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      const seen = await stack.api<{ profile: Record<string, string> }>(bob, 'GET', `/api/profile/${encodeURIComponent(alice)}`);
      assert.equal(seen.status, 200);
      assert.deepEqual(seen.body, { accountId: alice, profile: { pronouns: 'she/her', note: 'Ask me about docs' } });
      // Bob's PUT only ever writes Bob's card, whatever he sends.
      const bobs = await stack.api<ErrorBody>(bob, 'PUT', '/api/profile', { accountId: alice, pronouns: 'x' });
      assert.equal(bobs.status, 400);
      const still = await stack.api<{ profile: Record<string, string> }>(bob, 'GET', `/api/profile/${encodeURIComponent(alice)}`);
      assert.equal(still.body.profile.pronouns, 'she/her');
    });

    it('checks profile limits with the limit in the message', async () => {
      const reply = await stack.api<ErrorBody>(alice, 'PUT', '/api/profile', { note: 'x'.repeat(281) });
      assert.equal(reply.status, 400);
      assert.match(reply.body.message, /profile.note is limited to 280 characters|note is limited to 280 characters/);
    });

    it('never lets bob read or change alice’s private data, whatever he sends', async () => {
      const before = await stack.api<View>(alice, 'GET', '/api/preferences');
      const attempts: [string, string, unknown][] = [
        ['GET', `/api/preferences?accountId=${encodeURIComponent(alice)}`, undefined],
        ['PATCH', '/api/preferences', { viewMode: 'focus', accountId: alice }],
        ['POST', '/api/bookmarks', { contentId: pages[2].id, accountId: alice }],
        ['DELETE', `/api/watches/${pages[1].id}?accountId=${encodeURIComponent(alice)}`, undefined],
        ['GET', `/api/preferences/${encodeURIComponent(alice)}`, undefined],
        ['GET', `/api/bookmarks?accountId=${encodeURIComponent(alice)}`, undefined],
      ];
      for (const [method, path, body] of attempts) {
        const reply = await stack.api<View | ErrorBody>(bob, method, path, body);
        if (reply.status === 200) assert.equal((reply.body as View).accountId, bob, `${method} ${path} answered for bob only`);
      }
      const after = await stack.api<View>(alice, 'GET', '/api/preferences');
      assert.deepEqual(after.body, before.body);
      // Bob's public view of alice holds her public card only, none of her private data.
      const card = await stack.api<Record<string, unknown>>(bob, 'GET', `/api/profile/${encodeURIComponent(alice)}`);
      assert.deepEqual(Object.keys(card.body).sort(), ['accountId', 'profile']);
    });

    it('accepts only context tokens: no token, a page-load token, or a forged one → 401', async () => {
      const none = await request<ErrorBody>(`${stack.keepsake.url}/api/preferences`, 'GET');
      assert.equal(none.status, 401);
      assert.equal(none.body.code, 'UNAUTHENTICATED');
      const app = await stack.control<{ sharedSecret: string }>('GET', `/apps/${APP_KEY}`);
      const { encodeSymmetric, createQueryStringHash, fromMethodAndUrl } = await import('atlassian-jwt');
      const now = Math.floor(Date.now() / 1000);
      const pageLoad = encodeSymmetric(
        {
          iss: stack.clientKey,
          sub: alice,
          iat: now,
          exp: now + 600,
          qsh: createQueryStringHash(fromMethodAndUrl('GET', '/api/preferences')),
        },
        app.body.sharedSecret,
      );
      const withPageLoad = await request<ErrorBody>(`${stack.keepsake.url}/api/preferences`, 'GET', undefined, {
        Authorization: `JWT ${pageLoad}`,
      });
      assert.equal(withPageLoad.status, 401);
      assert.match(withPageLoad.body.message, /context-qsh/);
      const forged = encodeSymmetric({ iss: stack.clientKey, sub: alice, iat: now, exp: now + 600, qsh: 'context-qsh' }, 'not-the-secret');
      const withForged = await request<ErrorBody>(`${stack.keepsake.url}/api/preferences`, 'GET', undefined, {
        Authorization: `JWT ${forged}`,
      });
      assert.equal(withForged.status, 401);
      const expired = encodeSymmetric(
        { iss: stack.clientKey, sub: alice, iat: now - 1000, exp: now - 100, qsh: 'context-qsh' },
        app.body.sharedSecret,
      );
      const withExpired = await request<ErrorBody>(`${stack.keepsake.url}/api/preferences`, 'GET', undefined, {
        Authorization: `JWT ${expired}`,
      });
      assert.equal(withExpired.status, 401);
      assert.match(withExpired.body.message, /expired/);
    });

    it('answers unknown API paths with a structured 404', async () => {
      const reply = await stack.api<ErrorBody>(alice, 'GET', '/api/nothing-here');
      assert.equal(reply.status, 404);
      assert.equal(reply.body.code, 'NOT_FOUND');
    });

    describe('with 1,000 bookmarks', () => {
      /** Carol's 1,000 bookmarks as seeded, newest first (the order GET /api/bookmarks gives). */
      let seeded: string[];
      before(async () => {
        seeded = await seedBookmarks(stack, carol, 1000);
      });

      it('answers GET /api/preferences and the panel in under 5 KB each', async () => {
        const preferences = await rawGet(stack, carol, '/api/preferences');
        assert.equal(preferences.status, 200);
        assert.ok(preferences.body.length <= 5 * 1024, `GET /api/preferences is ${preferences.body.length} bytes`);
        const summary = JSON.parse(preferences.body.toString()) as View;
        assert.equal(summary.bookmarkCount, 1000);

        // The panel on a page carol bookmarked, by a page author with a full public card.
        await stack.api(alice, 'PUT', '/api/profile', {
          pronouns: 'she/her',
          workingHours: '9–17 CET',
          location: 'Lisbon office',
          note: 'n'.repeat(280),
        });
        await stack
          .api(carol, 'POST', '/api/bookmarks', { contentId: '65602' })
          .then((r) => assert.equal(r.status, 409, 'the set is full'));
        await stack.api(carol, 'DELETE', `/api/bookmarks/${seeded[0]}`);
        await stack.api(carol, 'POST', '/api/bookmarks', { contentId: '65602' });
        seeded = [...seeded.slice(1)];
        const panel = await panelHtml(stack, carol, '65602');
        assert.equal(panel.status, 200);
        assert.ok(panel.body.length <= 5 * 1024, `the panel is ${panel.body.length} bytes`);
        const html = panel.body.toString();
        assert.match(html, /aria-pressed="true"\s+data-on-label="Bookmarked"/, 'this page shows as bookmarked');
        assert.match(html, /1000 bookmarks · 0 watches/);
        assert.doesNotMatch(html, /Notes 0/, 'no other bookmark is in the panel');
      });

      it('gzips an answer when the client asks, keeping its security headers', async () => {
        const plain = await rawGet(stack, carol, '/api/bookmarks?limit=200');
        assert.equal(plain.headers['content-encoding'], undefined, 'not compressed unless asked');
        const zipped = await rawGet(stack, carol, '/api/bookmarks?limit=200', { 'Accept-Encoding': 'gzip' });
        assert.equal(zipped.status, 200);
        assert.equal(zipped.headers['content-encoding'], 'gzip');
        assert.ok(zipped.body.length < plain.body.length / 2, `${zipped.body.length} of ${plain.body.length} bytes`);
        assert.deepEqual(gunzipSync(zipped.body), plain.body);
        assert.equal(zipped.headers['cache-control'], 'no-store');
        assert.equal(zipped.headers['x-content-type-options'], 'nosniff');
        assert.match(String(zipped.headers['content-security-policy']), /default-src 'none'/);
        const panel = await panelHtml(stack, carol, '65602', { 'Accept-Encoding': 'gzip' });
        assert.equal(panel.headers['content-encoding'], 'gzip');
        assert.match(String(panel.headers['content-security-policy']), /frame-ancestors http:\/\/localhost:\d+/);
        assert.match(gunzipSync(panel.body).toString(), /id="keepsake-panel"/);
      });

      it('walks the set page by page while pages are added and removed: none repeated, none skipped but the removed', async () => {
        const seen: string[] = [];
        const removedAhead = new Set<string>();
        const added: string[] = [];
        const newPages = pages.filter((p) => !seeded.includes(p.id) && p.id !== '65602').slice(0, 12);
        let cursor: string | null = '';
        let round = 0;
        while (cursor !== null) {
          const reply: Reply<SetPage> = await stack.api<SetPage>(
            carol,
            'GET',
            `/api/bookmarks?limit=97${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          );
          assert.equal(reply.status, 200, JSON.stringify(reply.body));
          seen.push(...reply.body.items.map((b) => b.contentId));
          cursor = reply.body.nextCursor;
          if (cursor === null) break;
          // Meanwhile: the entry the cursor names goes, so does the next one not yet seen, and a page is added.
          const ahead = seeded.find((id) => !seen.includes(id) && !removedAhead.has(id));
          assert.ok(ahead);
          removedAhead.add(ahead);
          await stack.api(carol, 'DELETE', `/api/bookmarks/${seen.at(-1)}`).then((r) => assert.equal(r.status, 200));
          await stack.api(carol, 'DELETE', `/api/bookmarks/${ahead}`).then((r) => assert.equal(r.status, 200));
          const page = newPages[round++ % newPages.length];
          if (page && !added.includes(page.id)) {
            await stack
              .api(carol, 'POST', '/api/bookmarks', { contentId: page.id })
              .then((r) => assert.equal(r.status, 200, JSON.stringify(r.body)));
            added.push(page.id);
          }
        }
        assert.equal(new Set(seen).size, seen.length, 'no entry was given twice');
        const expected = ['65602', ...seeded].filter((id) => !removedAhead.has(id));
        assert.deepEqual(seen, expected, 'every entry still there, newest first; pages added meanwhile come before the cursor');
        assert.ok(removedAhead.size >= 9);
      });

      it('answers a bad cursor or limit with INVALID_INPUT and a sentence', async () => {
        const bad: [string, RegExp][] = [
          ['cursor=not-a-cursor', /cursor must be a nextCursor Keepsake gave/],
          [`cursor=${Buffer.from('yesterday:65602').toString('base64url')}`, /cursor must be a nextCursor Keepsake gave/],
          ['cursor=%E2%9C%93', /cursor must be a nextCursor/],
          ['limit=0', /limit must be a whole number from 1 to 200/],
          ['limit=201', /limit must be a whole number from 1 to 200/],
          ['limit=ten', /limit must be a whole number from 1 to 200/],
          ['limit=1&limit=2', /limit must be a whole number/],
          ['offset=5', /unknown field: offset/],
        ];
        for (const [query, message] of bad) {
          const reply = await stack.api<ErrorBody>(carol, 'GET', `/api/watches?${query}`);
          assert.equal(reply.status, 400, query);
          assert.equal(reply.body.code, 'INVALID_INPUT', query);
          assert.match(reply.body.message, message, query);
        }
        const largest = await stack.api<SetPage>(carol, 'GET', '/api/bookmarks?limit=200');
        assert.equal(largest.body.items.length, 200);
        assert.equal((await stack.api<SetPage>(carol, 'GET', '/api/bookmarks')).body.items.length, 50, 'the default page size');
      });
    });
  });
}

/**
 * Gives the user `count` bookmarks through the legacy cookie migration (a few calls instead of
 * one per page), titled and dated, a hundred at each time so that the order falls back on the
 * page id. Returns their ids newest first.
 */
async function seedBookmarks(stack: Stack, accountId: string, count: number): Promise<string[]> {
  const base = Date.parse('2020-01-01T00:00:00.000Z');
  const entries = Array.from({ length: count }, (_, i) => ({
    id: String(300_000 + i),
    title: `Notes ${String(i).padStart(4, '0')}`,
    at: base + Math.floor(i / 100) * 60_000,
  }));
  for (let i = 0; i < count; i += 250) {
    const reply = await stack.api<{ results: { outcome: string }[] }>(accountId, 'POST', '/api/migrations/cookies', {
      cookies: { keepsake_bookmarks: JSON.stringify(entries.slice(i, i + 250)) },
    });
    assert.equal(reply.status, 200, JSON.stringify(reply.body).slice(0, 300));
    assert.deepEqual(
      reply.body.results.map((r) => r.outcome),
      ['migrated'],
    );
  }
  return entries.sort((a, b) => b.at - a.at || Number(b.id) - Number(a.id)).map((e) => e.id);
}

interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A GET as the bytes on the wire (fetch would decompress them). */
function rawGetUrl(url: string, headers: Record<string, string>): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

async function rawGet(stack: Stack, accountId: string, path: string, headers: Record<string, string> = {}): Promise<RawReply> {
  return rawGetUrl(`${stack.keepsake.url}${path}`, { Authorization: `JWT ${await stack.contextToken(accountId)}`, ...headers });
}

/** The panel's HTML as Confluence would load it on that page for that user. */
async function panelHtml(stack: Stack, accountId: string, pageId: string, headers: Record<string, string> = {}): Promise<RawReply> {
  const query = `appKey=${APP_KEY}&moduleKey=keepsake-panel&accountId=${encodeURIComponent(accountId)}&pageId=${pageId}`;
  const { url } = (await stack.control<{ url: string }>('GET', `/iframe-url?${query}`)).body;
  return rawGetUrl(url, headers);
}

async function seededPages(stack: Stack): Promise<PageList[]> {
  const reply = await request<PageList[] | { pages: PageList[] }>(`${stack.emulator.baseUrl}/_emulator/pages`, 'GET');
  if (reply.status === 200) return Array.isArray(reply.body) ? reply.body : reply.body.pages;
  // Until the emulator lists pages, read them through AP.request as the admin.
  const search = await stack.control<{ status: number; json?: { results: PageList[] } }>('POST', '/ap-request', {
    appKey: APP_KEY,
    accountId: SEEDED_USERS.admin.accountId,
    method: 'GET',
    path: '/rest/api/content?type=page&limit=25',
  });
  return search.body.json?.results ?? [];
}

export function userProperty(stack: Stack, accountId: string, key: string) {
  return stack
    .control('POST', '/ap-request', {
      appKey: APP_KEY,
      accountId,
      method: 'GET',
      path: `/rest/api/user/${encodeURIComponent(accountId)}/property/${key}`,
    })
    .then((r) => ({ status: (r.body as { status: number }).status, body: (r.body as { json?: unknown }).json }));
}
