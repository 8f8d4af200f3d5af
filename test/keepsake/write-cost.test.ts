// What one change costs in Confluence calls, at a few bookmarks and at the most Keepsake keeps
// (issue 11): a write touches only what changed — `main`, and the one chunk an item lived in —
// so the cost does not grow with the set. Counted in the emulator's request log, which sees
// every call Keepsake makes. Also: a write cut short leaves the previous record whole, and the
// chunks it left behind are swept by the write after it.
import assert from 'node:assert/strict';
import { SEEDED_USERS } from '../../emulator';
import { MAX_SET_SIZE } from '../../lib/preferences/schema';
import { startStack, type Stack } from '../support/keepsake-stack';
import { legacyPageArray } from '../support/legacy-pages';
import { envelopeOf, openedRecord } from '../support/stored-records';

const { alice, bob, carol } = SEEDED_USERS;
/** Pages the emulator seeds: the ones a user can add by id. */
const PAGE = '65602';
const OTHER_PAGE = '65603';
const THIRD_PAGE = '65604';

interface LogEntry {
  method: string;
  path: string;
  status: number;
}

/** The user's sets as Confluence holds them: main's tails and every chunk it lists, opened with the site's key. */
async function storedSets(stack: Stack, accountId: string): Promise<{ bookmarks: string[]; watches: string[]; chunks: string[] }> {
  const main = await openedRecord(stack, accountId, 'main');
  const manifest = main.chunks as Record<'bookmarks' | 'watches', [string, string, number][]>;
  const read = async (set: 'bookmarks' | 'watches') => {
    const ids: string[] = [];
    for (const [name, tag, count] of manifest[set]) {
      const chunk = await openedRecord(stack, accountId, name);
      assert.equal(chunk.tag, tag, `${name} carries the tag main names`);
      assert.equal((chunk.items as unknown[]).length, count);
      ids.push(...(chunk.items as { contentId: string }[]).map((item) => item.contentId));
    }
    return [...ids, ...(main[set] as { contentId: string }[]).map((item) => item.contentId)];
  };
  return {
    bookmarks: await read('bookmarks'),
    watches: await read('watches'),
    chunks: [...manifest.bookmarks, ...manifest.watches].map(([name]) => name),
  };
}

async function propertyKeys(stack: Stack, accountId: string): Promise<string[]> {
  const keys: string[] = [];
  for (let start = 0; ; start += 25) {
    const reply = await stack.apRequest<{ results: { key: string }[] }>(
      accountId,
      'GET',
      `/rest/api/user/${encodeURIComponent(accountId)}/property?start=${start}&limit=25`,
    );
    keys.push(...reply.json.results.map((r) => r.key));
    if (reply.json.results.length < 25)
      return keys.filter((key) => key.startsWith('keepsake-')).map((key) => key.slice('keepsake-'.length));
  }
}

/** Seeds `count` bookmarks through the legacy-cookie migration, as an older version's browser would. */
async function seedBookmarks(stack: Stack, accountId: string, count: number): Promise<void> {
  for (let done = 0; done < count; done += 120) {
    const batch = Math.min(120, count - done);
    const reply = await stack.api(accountId, 'POST', '/api/migrations/cookies', {
      cookies: { keepsake_bookmarks: legacyPageArray(batch, 100_000 + done, 60) },
    });
    assert.equal(reply.status, 200, JSON.stringify(reply.body).slice(0, 300));
  }
}

describe('what one change costs in Confluence calls (O(change) writes)', function () {
  this.timeout(180_000);
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => stack?.close());

  /** The Confluence calls Keepsake makes for one request of `accountId`'s, and the answer's status. */
  async function cost(accountId: string, method: string, path: string, body?: unknown): Promise<{ status: number; calls: LogEntry[] }> {
    await stack.control('DELETE', '/requests');
    const reply = await stack.api(accountId, method, path, body);
    const log = await stack.control<LogEntry[]>('GET', '/requests');
    return { status: reply.status, calls: log.body.filter((entry) => entry.path.includes('/rest/')) };
  }

  for (const [user, size] of [
    [alice, 10],
    [bob, MAX_SET_SIZE],
  ] as const) {
    describe(`at ${size} bookmarks`, () => {
      before(async () => {
        await seedBookmarks(stack, user.accountId, size - 1);
      });

      it('adds a bookmark with at most 4 calls (the page lookup included)', async () => {
        const { status, calls } = await cost(user.accountId, 'POST', '/api/bookmarks', { contentId: PAGE });
        assert.equal(status, 200);
        assert.ok(calls.length <= 4, `${calls.length} calls: ${calls.map((c) => `${c.method} ${c.path}`).join(', ')}`);
        assert.equal((await storedSets(stack, user.accountId)).bookmarks.length, size);
      });

      it('changes one value with at most 2 calls', async () => {
        const { status, calls } = await cost(user.accountId, 'PATCH', '/api/preferences', { viewMode: 'compact' });
        assert.equal(status, 200);
        assert.ok(calls.length <= 2, `${calls.length} calls: ${calls.map((c) => `${c.method} ${c.path}`).join(', ')}`);
      });

      it('removes the newest bookmark and the oldest with at most 4 calls each, rewriting at most the chunk that held it', async () => {
        const before = await storedSets(stack, user.accountId);
        for (const contentId of [PAGE, before.bookmarks[0]]) {
          const { status, calls } = await cost(user.accountId, 'DELETE', `/api/bookmarks/${contentId}`);
          assert.equal(status, 200);
          assert.ok(calls.length <= 4, `${calls.length} calls: ${calls.map((c) => `${c.method} ${c.path}`).join(', ')}`);
          assert.ok(calls.filter((c) => c.method === 'POST').length <= 1, 'at most one chunk written anew');
        }
        const after = await storedSets(stack, user.accountId);
        assert.deepEqual(
          after.bookmarks,
          before.bookmarks.filter((id) => id !== PAGE && id !== before.bookmarks[0]),
          'the rest, in order',
        );
        assert.ok(after.chunks.filter((name) => !before.chunks.includes(name)).length <= 1, 'the other chunks are untouched');
        assert.deepEqual((await propertyKeys(stack, user.accountId)).sort(), ['main', ...after.chunks].sort(), 'no chunk left behind');
      });
    });
  }

  describe('at the most Keepsake keeps', () => {
    it('refuses one more bookmark without writing anything', async () => {
      for (const contentId of [PAGE, OTHER_PAGE])
        assert.equal((await stack.api(bob.accountId, 'POST', '/api/bookmarks', { contentId })).status, 200);
      assert.equal((await storedSets(stack, bob.accountId)).bookmarks.length, MAX_SET_SIZE);
      const { status, calls } = await cost(bob.accountId, 'POST', '/api/bookmarks', { contentId: THIRD_PAGE });
      assert.equal(status, 409);
      assert.deepEqual(
        calls.filter((c) => c.method !== 'GET'),
        [],
        'no write',
      );
    });
  });
});

describe('a write cut short (O(change) layout)', function () {
  this.timeout(120_000);
  let stack: Stack;
  before(async () => {
    // One attempt per call, so that a throttled call stops the write where it is.
    stack = await startStack({ settings: { KEEPSAKE_CONFLUENCE_ATTEMPTS: 1 } });
  });
  after(async () => stack?.close());

  it('leaves the previous record whole; the next write sweeps what it left behind and loses nothing', async () => {
    await seedBookmarks(stack, alice.accountId, 150);
    const before = await storedSets(stack, alice.accountId);
    // 150 more spill the tail into a new chunk: the chunk's POST passes, main's PUT is refused.
    await stack.control('POST', '/faults', { rateLimitPerSecond: 1 });
    const cut = await stack.api(alice.accountId, 'POST', '/api/migrations/cookies', {
      cookies: { keepsake_bookmarks: legacyPageArray(150, 200_000, 60) },
    });
    await stack.control('POST', '/faults', { rateLimitPerSecond: null });
    assert.equal(cut.status, 429, JSON.stringify(cut.body).slice(0, 300));
    const orphans = (await propertyKeys(stack, alice.accountId)).filter((name) => name !== 'main' && !before.chunks.includes(name));
    assert.ok(orphans.length > 0, 'the cut write had stored a chunk no record points at');
    assert.deepEqual(await storedSets(stack, alice.accountId), before, 'the previous record, whole');

    const patched = await stack.api(alice.accountId, 'PATCH', '/api/preferences', { viewMode: 'focus' });
    assert.equal(patched.status, 200);
    const after = await storedSets(stack, alice.accountId);
    assert.deepEqual(after.bookmarks, before.bookmarks, 'nothing lost, nothing half-written');
    assert.deepEqual((await propertyKeys(stack, alice.accountId)).sort(), ['main', ...after.chunks].sort(), 'the orphan is swept');

    const retried = await stack.api(alice.accountId, 'POST', '/api/migrations/cookies', {
      cookies: { keepsake_bookmarks: legacyPageArray(150, 200_000, 60) },
    });
    assert.equal(retried.status, 200);
    const whole = await storedSets(stack, alice.accountId);
    assert.equal(whole.bookmarks.length, 300);
    assert.deepEqual((await propertyKeys(stack, alice.accountId)).sort(), ['main', ...whole.chunks].sort());
  });
});

describe('records of the earlier layout (spill counts, chunks named after the generation)', function () {
  this.timeout(60_000);
  let stack: Stack;
  before(async () => {
    stack = await startStack({ settings: { KEEPSAKE_CACHE_TTL_SECONDS: 0 } });
  });
  after(async () => stack?.close());

  it('are read whole, and laid out anew by the next write, the old chunks removed', async () => {
    assert.equal((await stack.api(bob.accountId, 'GET', '/api/preferences')).status, 200); // detection first
    const envelope = await envelopeOf(stack);
    const page = (id: string) => ({ contentId: id, title: `Page ${id}`, addedAt: '2026-01-02T03:04:05.000Z' });
    const writer = 'a1b2c3d4e5f6';
    const records: [string, Record<string, unknown>][] = [
      [`bookmarks-4-${writer}-0`, { v: 2, items: [page('70001'), page('70002')] }],
      [`bookmarks-4-${writer}-1`, { v: 2, items: [page('70003')] }],
      [
        'main',
        {
          v: 2,
          gen: 4,
          writer,
          viewMode: 'focus',
          updatedAt: {},
          bookmarks: [],
          watches: [page('70009')],
          spill: { bookmarks: 2, watches: 0 },
        },
      ],
    ];
    const base = `/rest/api/user/${encodeURIComponent(alice.accountId)}/property`;
    for (const [name, content] of records) {
      const put = await stack.apRequest(alice.accountId, 'POST', `${base}/keepsake-${name}`, {
        value: envelope.seal(alice.accountId, name, content),
      });
      assert.equal(put.status, 201);
    }
    const exported = await stack.api<{ preferences?: unknown }>(alice.accountId, 'GET', '/api/me/export');
    assert.equal(exported.status, 200);
    for (const id of ['70001', '70002', '70003', '70009']) assert.ok(JSON.stringify(exported.body).includes(id), `${id} is read`);

    assert.equal((await stack.api(alice.accountId, 'PATCH', '/api/preferences', { viewMode: 'compact' })).status, 200);
    const sets = await storedSets(stack, alice.accountId);
    assert.deepEqual(sets.bookmarks, ['70001', '70002', '70003']);
    assert.deepEqual(sets.watches, ['70009']);
    assert.equal((await openedRecord(stack, alice.accountId, 'main')).v, 3);
    assert.deepEqual((await propertyKeys(stack, alice.accountId)).sort(), ['main', ...sets.chunks].sort(), 'the old chunks are gone');
  });

  it('reports a record that opens but has neither layout’s shape like a tampered one, and uses none of it', async () => {
    const envelope = await envelopeOf(stack);
    const base = `/rest/api/user/${encodeURIComponent(carol.accountId)}/property`;
    const forged = {
      v: 3,
      gen: 2,
      writer: 'x',
      seq: 0,
      viewMode: 'focus',
      bookmarks: 'not a list',
      watches: [],
      chunks: { bookmarks: [], watches: [] },
    };
    assert.equal(
      (await stack.apRequest(carol.accountId, 'POST', `${base}/keepsake-main`, { value: envelope.seal(carol.accountId, 'main', forged) }))
        .status,
      201,
    );
    const view = await stack.api<{ viewMode: string; tampered: boolean }>(carol.accountId, 'GET', '/api/preferences');
    assert.equal(view.status, 200);
    assert.equal(view.body.tampered, true);
    assert.notEqual(view.body.viewMode, 'focus', 'nothing of it is used');
  });
});
