import assert from 'node:assert/strict';
import { SEEDED_USERS } from '../../emulator';
import { APP_KEY, request, startStack, storeKinds, type Stack } from '../support/keepsake-stack';

const alice = SEEDED_USERS.alice.accountId;
const bob = SEEDED_USERS.bob.accountId;

interface View {
  accountId: string;
  viewMode: string;
  tracking: Record<string, boolean>;
  bookmarks: { contentId: string; title: string; addedAt: string }[];
  watches: { contentId: string; title: string }[];
  profile: Record<string, string>;
  backend: string;
  tampered: boolean;
}
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
      assert.deepEqual(reply.body.bookmarks, []);
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
      assert.equal((stored.body as { value: { viewMode: string } }).value.viewMode, 'compact');
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
      const first = await stack.api<View>(alice, 'POST', '/api/bookmarks', { contentId: page.id });
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual(first.body.bookmarks.map((b) => [b.contentId, b.title]), [[page.id, page.title]]);
      const second = await stack.api<View>(alice, 'POST', '/api/bookmarks', { contentId: page.id });
      assert.equal(second.body.bookmarks.length, 1);
      const removed = await stack.api<View>(alice, 'DELETE', `/api/bookmarks/${page.id}`);
      assert.equal(removed.status, 200);
      assert.deepEqual(removed.body.bookmarks, []);
      const again = await stack.api<View>(alice, 'DELETE', `/api/bookmarks/${page.id}`);
      assert.equal(again.status, 200);
    });

    it('keeps watches apart from bookmarks', async () => {
      const reply = await stack.api<View>(alice, 'POST', '/api/watches', { contentId: pages[1].id });
      assert.deepEqual(reply.body.watches.map((w) => w.contentId), [pages[1].id]);
      assert.ok(!reply.body.bookmarks.some((b) => b.contentId === pages[1].id));
    });

    it('never reveals the title of a page the user may not read', async () => {
      const secret = await stack.control<{ id: string }>('POST', '/pages', { spaceKey: 'HR', title: 'Layoff plan', viewers: [bob] });
      assert.equal(secret.status, 201);
      const alices = await stack.api<ErrorBody>(alice, 'POST', '/api/bookmarks', { contentId: secret.body.id });
      assert.equal(alices.status, 404);
      assert.doesNotMatch(JSON.stringify(alices.body), /Layoff/);
      const migrated = await stack.api<{ preferences: View }>(alice, 'POST', '/api/migrations/cookies', { cookies: { keepsake_watches: secret.body.id } });
      assert.deepEqual(migrated.body.preferences.watches.filter((w) => w.contentId === secret.body.id).map((w) => w.title), [''], 'kept, without its title');
      const bobs = await stack.api<View>(bob, 'POST', '/api/bookmarks', { contentId: secret.body.id });
      assert.equal(bobs.status, 200);
      assert.equal(bobs.body.bookmarks.at(-1)?.title, 'Layoff plan');
    });

    it('refuses a bookmark of a page that does not exist', async () => {
      const reply = await stack.api<ErrorBody>(alice, 'POST', '/api/bookmarks', { contentId: '999999999' });
      assert.equal(reply.status, 404);
      assert.equal(reply.body.code, 'NOT_FOUND');
    });

    it('shows a public profile card to everyone and lets only its owner write it', async () => {
      const put = await stack.api<View>(alice, 'PUT', '/api/profile', { pronouns: 'she/her', note: 'Ask me about docs' });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      const seen = await stack.api<{ profile: Record<string, string>; tampered: boolean }>(bob, 'GET', `/api/profile/${encodeURIComponent(alice)}`);
      assert.equal(seen.status, 200);
      assert.deepEqual(seen.body.profile, { pronouns: 'she/her', note: 'Ask me about docs' });
      assert.equal(seen.body.tampered, false);
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
      ];
      for (const [method, path, body] of attempts) {
        const reply = await stack.api<View | ErrorBody>(bob, method, path, body);
        if (reply.status === 200) assert.equal((reply.body as View).accountId, bob, `${method} ${path} answered for bob only`);
      }
      const after = await stack.api<View>(alice, 'GET', '/api/preferences');
      assert.deepEqual(after.body, before.body);
      // Bob's public view of alice holds her public card only, none of her private data.
      const card = await stack.api<Record<string, unknown>>(bob, 'GET', `/api/profile/${encodeURIComponent(alice)}`);
      assert.deepEqual(Object.keys(card.body).sort(), ['accountId', 'profile', 'tampered']);
    });

    it('accepts only context tokens: no token, a page-load token, or a forged one → 401', async () => {
      const none = await request<ErrorBody>(`${stack.keepsake.url}/api/preferences`, 'GET');
      assert.equal(none.status, 401);
      assert.equal(none.body.code, 'UNAUTHENTICATED');
      const app = await stack.control<{ sharedSecret: string }>('GET', `/apps/${APP_KEY}`);
      const { encodeSymmetric, createQueryStringHash, fromMethodAndUrl } = await import('atlassian-jwt');
      const now = Math.floor(Date.now() / 1000);
      const pageLoad = encodeSymmetric(
        { iss: stack.clientKey, sub: alice, iat: now, exp: now + 600, qsh: createQueryStringHash(fromMethodAndUrl('GET', '/api/preferences')) },
        app.body.sharedSecret,
      );
      const withPageLoad = await request<ErrorBody>(`${stack.keepsake.url}/api/preferences`, 'GET', undefined, { Authorization: `JWT ${pageLoad}` });
      assert.equal(withPageLoad.status, 401);
      assert.match(withPageLoad.body.message, /context-qsh/);
      const forged = encodeSymmetric({ iss: stack.clientKey, sub: alice, iat: now, exp: now + 600, qsh: 'context-qsh' }, 'not-the-secret');
      const withForged = await request<ErrorBody>(`${stack.keepsake.url}/api/preferences`, 'GET', undefined, { Authorization: `JWT ${forged}` });
      assert.equal(withForged.status, 401);
      const expired = encodeSymmetric({ iss: stack.clientKey, sub: alice, iat: now - 1000, exp: now - 100, qsh: 'context-qsh' }, app.body.sharedSecret);
      const withExpired = await request<ErrorBody>(`${stack.keepsake.url}/api/preferences`, 'GET', undefined, { Authorization: `JWT ${expired}` });
      assert.equal(withExpired.status, 401);
      assert.match(withExpired.body.message, /expired/);
    });

    it('answers unknown API paths with a structured 404', async () => {
      const reply = await stack.api<ErrorBody>(alice, 'GET', '/api/nothing-here');
      assert.equal(reply.status, 404);
      assert.equal(reply.body.code, 'NOT_FOUND');
    });
  });
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
  return stack.control('POST', '/ap-request', {
    appKey: APP_KEY,
    accountId,
    method: 'GET',
    path: `/rest/api/user/${encodeURIComponent(accountId)}/property/${key}`,
  }).then((r) => ({ status: (r.body as { status: number }).status, body: (r.body as { json?: unknown }).json }));
}
