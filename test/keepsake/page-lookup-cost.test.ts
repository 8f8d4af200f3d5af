// A page alice may not read and a page that does not exist must be indistinguishable to her:
// the same answer, and the same Confluence calls behind it (issue 8, item 10) — so the time
// the answer takes does not tell them apart either. Shown with the emulator's request log.
import assert from 'node:assert/strict';
import { SEEDED_USERS } from '../../emulator';
import { startStack, type Stack } from '../support/keepsake-stack';

const alice = SEEDED_USERS.alice.accountId;
const bob = SEEDED_USERS.bob.accountId;
const admin = SEEDED_USERS.admin.accountId;

interface LogEntry {
  method: string;
  path: string;
  query: string;
  authKind: string;
  appKey: string | null;
  accountId: string | null;
  status: number;
}
interface Answer {
  status: number;
  body: unknown;
}

describe('a restricted page costs what a missing page costs', () => {
  let stack: Stack;
  let restricted: string;
  let missing: string;
  let readable: string;
  before(async () => {
    stack = await startStack();
    const secret = await stack.control<{ id: string }>('POST', '/pages', { spaceKey: 'HR', title: 'Layoff plan', viewers: [bob] });
    assert.equal(secret.status, 201, JSON.stringify(secret.body));
    restricted = secret.body.id;
    const open = await stack.control<{ id: string }>('POST', '/pages', { spaceKey: 'HR', title: 'Holiday calendar' });
    assert.equal(open.status, 201, JSON.stringify(open.body));
    readable = open.body.id;
    // A page id of the same length that no page has, so that even the answers' lengths match.
    const ids = new Set((await stack.control<{ id: string }[]>('GET', '/pages')).body.map((p) => p.id));
    missing = String(Number(restricted) + 7000);
    assert.equal(missing.length, restricted.length);
    assert.ok(!ids.has(missing), `${missing} is not a page`);
    // Alice's record is read and cached first, so the calls below are the page lookups only.
    assert.equal((await stack.api(alice, 'GET', '/api/preferences')).status, 200);
  });
  after(async () => stack?.close());

  /** The Confluence calls a request made, as shapes: the page id, whoever it is, reads {id}. */
  async function callsOf(id: string, send: () => Promise<Answer>): Promise<{ answer: Answer; calls: string[] }> {
    await stack.control('DELETE', '/requests');
    const answer = await send();
    const log = await stack.control<LogEntry[]>('GET', '/requests');
    assert.equal(log.status, 200);
    const calls = log.body.map(
      (e) =>
        `${e.method} ${e.path.split(id).join('{id}')}?${e.query} ${e.authKind} as ${e.accountId === alice ? 'alice' : (e.accountId ?? 'app')}`,
    );
    // The lookup's calls are started together, so the log (in order of completion) may hold them
    // in either order: they are compared as sorted lists.
    return {
      answer: { status: answer.status, body: JSON.parse(JSON.stringify(answer.body).split(id).join('{id}')) as unknown },
      calls: calls.sort(),
    };
  }

  const bookmark = (id: string) => () => stack.api(alice, 'POST', '/api/bookmarks', { contentId: id });

  for (const actAsUser of [false, true]) {
    describe(actAsUser ? 'acting as the user' : 'as the app, with the permission check', () => {
      before(async () => {
        const settings = await stack.api<{ settings: Record<string, unknown> }>(admin, 'GET', '/api/admin/settings');
        const saved = await stack.api(admin, 'PUT', '/api/admin/settings', { ...settings.body.settings, actAsUser });
        assert.equal(saved.status, 200, JSON.stringify(saved.body));
        // Alice's first call in this mode may fetch her OAuth token: not part of what is compared.
        assert.equal((await stack.api(alice, 'GET', '/api/preferences')).status, 200);
        await stack.api(alice, 'POST', '/api/bookmarks', { contentId: readable });
        await stack.api(alice, 'DELETE', `/api/bookmarks/${readable}`);
      });

      it('POST /api/bookmarks: the same status, body and Confluence calls for a restricted and a missing page', async () => {
        const secret = await callsOf(restricted, bookmark(restricted));
        const absent = await callsOf(missing, bookmark(missing));
        assert.equal(secret.answer.status, 404, JSON.stringify(secret.answer.body));
        assert.deepEqual(secret.answer, absent.answer);
        assert.doesNotMatch(JSON.stringify(secret.answer.body), /Layoff/);
        assert.deepEqual(secret.calls, absent.calls);
        const expected = actAsUser
          ? ['GET /wiki/rest/api/content/{id}?expand=history bearer as alice']
          : ['GET /wiki/rest/api/content/{id}?expand=history jwt as app', 'POST /wiki/rest/api/content/{id}/permission/check? jwt as app'];
        assert.deepEqual(secret.calls, expected);
      });

      it('a readable page starts with the very same lookup before its record is written', async () => {
        const { answer, calls } = await callsOf(readable, bookmark(readable));
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        const secret = await callsOf(restricted, bookmark(restricted));
        const lookup = calls.filter((c) => c.includes('/content/{id}'));
        assert.deepEqual(lookup, secret.calls);
        assert.ok(calls.length > lookup.length, 'the readable page goes on to the user’s record');
        await stack.api(alice, 'DELETE', `/api/bookmarks/${readable}`);
      });

      it('a migrated cookie naming either page makes the same calls and keeps each entry without a title', async () => {
        type Migration = {
          results: { cookie: string; outcome: string; erase: boolean }[];
          preferences: { watches: { contentId: string; title: string }[] };
        };
        const migrate = (id: string) => () =>
          stack.api<Migration>(alice, 'POST', '/api/migrations/cookies', { cookies: { keepsake_watches: id } });
        const secret = await callsOf(restricted, migrate(restricted));
        const absent = await callsOf(missing, migrate(missing));
        assert.equal(secret.answer.status, 200, JSON.stringify(secret.answer.body));
        const lookups = (calls: string[]) => calls.filter((c) => c.includes('/content/{id}'));
        assert.deepEqual(lookups(secret.calls), lookups(absent.calls));
        assert.equal(lookups(secret.calls).length, actAsUser ? 1 : 2);
        const watches = (a: Answer) => (a.body as Migration).preferences.watches.filter((w) => w.contentId === '{id}');
        assert.deepEqual(
          watches(secret.answer).map((w) => w.title),
          [''],
          'kept, without the title alice may not read',
        );
        assert.deepEqual(
          watches(absent.answer).map((w) => w.title),
          [''],
        );
        for (const id of [restricted, missing]) await stack.api(alice, 'DELETE', `/api/watches/${id}`);
      });
    });
  }
});
