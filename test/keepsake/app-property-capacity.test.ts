// The app-property fallback holds a real site (issue 11). Two proofs, both within seconds:
// - the bucket layout alone: 5,000 typical users (docs/performance.md, "App-property
//   capacity"), laid out into the 40 buckets as the backend lays them out, take no more pages
//   than Confluence's 100 app properties per app, each page within the value limit, and every
//   user opens back exactly as written;
// - end to end: a site of 300 users switches to app properties through Keepsake's API (the
//   issue's "a 300-user site cannot switch"), on the emulator with its default caps; every user
//   reads back and the app properties stay within the cap.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SEEDED_USERS } from '../../emulator';
import { newAccountId } from '../../emulator/accounts';
import { BucketCodec, type BucketContent } from '../../lib/storage/app-property-bucket-codec';
import { BUCKETS, bucketOf } from '../../lib/storage/app-property-buckets';
import { AppPropertyEntryEnvelope } from '../../lib/storage/app-property-entry-envelope';
import type { JsonObject } from '../../lib/storage/record-store';
import { eventually } from '../support/eventually';
import { APP_KEY, request, startStack, type Reply, type Stack } from '../support/keepsake-stack';
import { setIds } from '../support/set-entries';

/** Confluence's value limit for an app property (the emulator's appPropertyMaxValueLength default). */
const MAX_VALUE = 32_768;
/** Confluence's cap on app properties per app (the emulator's appPropertyMaxPerApp default). */
const MAX_PROPERTIES = 100;

/** Words of an ordinary wiki's page titles, and made-up project names, so titles repeat as little as a real site's. */
const WORDS =
  'meeting notes retrospective sprint planning roadmap release onboarding guide how to template decision log requirements product design review architecture incident postmortem runbook checklist team goals quarterly api documentation migration plan security policy budget hiring process customer feedback launch testing strategy performance database upgrade platform search mobile billing analytics dashboard support escalation training handbook faq glossary standup weekly status report proposal overview summary'.split(
    ' ',
  );
const SYLLABLES = ['ka', 'lo', 'mi', 'ter', 'zen', 'pro', 'vex', 'dal', 'nor', 'qui', 'sta', 'rin', 'bel', 'cor', 'fen', 'gal'];

function typicalMain(seed: number): JsonObject {
  let state = seed + 1;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)];
  const name = () => Array.from({ length: 2 + Math.floor(next() * 2) }, () => pick(SYLLABLES)).join('');
  const title = () => {
    const words = Array.from({ length: 3 + Math.floor(next() * 5) }, () => (next() < 0.4 ? name() : pick(WORDS)));
    return (
      words.join(' ').replace(/^./, (c) => c.toUpperCase()) +
      (next() < 0.4 ? ` 2026-${String(1 + Math.floor(next() * 12)).padStart(2, '0')}` : '')
    );
  };
  const at = () =>
    new Date(
      Date.UTC(
        2026,
        Math.floor(next() * 12),
        1 + Math.floor(next() * 28),
        Math.floor(next() * 24),
        Math.floor(next() * 60),
        Math.floor(next() * 60),
        Math.floor(next() * 1000),
      ),
    ).toISOString();
  const page = () => ({ contentId: String(100_000 + Math.floor(next() * 90_000_000)), title: title(), addedAt: at() });
  return {
    v: 2,
    gen: 1 + Math.floor(next() * 40),
    writer: Math.floor(next() * 2 ** 48)
      .toString(16)
      .padStart(12, '0'),
    viewMode: pick(['compact', 'focus', 'comfortable']),
    tracking: { analytics: next() < 0.5, productEmails: next() < 0.3 },
    profile: { pronouns: pick(['she/her', 'he/him', 'they/them']), note: `Ask me about ${pick(WORDS)} and ${name()}` },
    updatedAt: { viewMode: at(), tracking: at(), profile: at() },
    bookmarks: Array.from({ length: 5 }, page),
    watches: Array.from({ length: 2 }, page),
  };
}

/** Runs `task` over `items`, `width` at a time. */
async function inParallel<T>(items: T[], width: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let i = next++; i < items.length; i = next++) await task(items[i], i);
    }),
  );
}

describe('app-property capacity: the bucket layout holds 5,000 typical users in 100 properties', () => {
  const USERS = 5_000;
  const siteKey = randomBytes(32);
  const codec = new BucketCodec(siteKey, MAX_VALUE);
  const envelope = new AppPropertyEntryEnvelope(siteKey, MAX_VALUE);
  const users = Array.from({ length: USERS }, (_, i) => `712020:${randomBytes(16).toString('hex')}-${i}`);

  it('lays every user out into the 40 buckets within the cap, and opens every one back exactly', () => {
    const indexOf = new Map(users.map((accountId, i) => [accountId, i]));
    const members: Record<string, Record<string, JsonObject>>[] = Array.from({ length: BUCKETS }, () => ({}));
    users.forEach((accountId, i) => {
      members[bucketOf(siteKey, accountId)][accountId] = { main: envelope.seal(accountId, 'main', typicalMain(i)) };
    });
    let properties = 0;
    let opened = 0;
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      const content: BucketContent = { gen: 1, writer: randomBytes(6).toString('hex'), members: members[bucket] };
      const compressed = codec.compress(content);
      const pages = codec.seal(bucket, compressed, codec.pagesFor(compressed.length, 0));
      for (const page of pages)
        assert.equal(JSON.stringify(page).length <= MAX_VALUE, true, `page ${page.page} of bucket ${bucket} is over the value limit`);
      properties += pages.length;
      const back = codec.open(bucket, JSON.parse(JSON.stringify(pages)) as unknown[]);
      assert.ok(back, `bucket ${bucket} does not open`);
      for (const accountId of Object.keys(members[bucket])) {
        const stored: JsonObject | undefined = back.members[accountId]?.main;
        assert.ok(stored, `user ${accountId} is missing from bucket ${bucket}`);
        assert.deepEqual(envelope.open(accountId, 'main', stored)?.content, typicalMain(indexOf.get(accountId)!));
        opened++;
      }
    }
    console.log(`      ${USERS} typical users in ${properties} app properties`);
    assert.equal(opened, USERS);
    assert.ok(properties <= MAX_PROPERTIES, `${properties} properties for ${USERS} users`);
  });
});

describe('app-property capacity: a 300-user site switches to app properties through Keepsake (emulator, default caps)', function () {
  this.timeout(180_000);
  const USERS = 300;
  const admin = SEEDED_USERS.admin.accountId;
  let stack: Stack;
  const users: string[] = [];
  const pageIds: string[] = [];
  /** Each user's preferences as saved, and their bookmarks. */
  const expected = new Map<string, { view: Record<string, unknown>; bookmarks: string[] }>();

  const withoutBackend = (view: Record<string, unknown>) => Object.fromEntries(Object.entries(view).filter(([key]) => key !== 'backend'));
  /** Each user's context token, minted once: the test's own overhead stays small beside Keepsake's work. */
  const tokens = new Map<string, string>();
  const call = async <T = Record<string, unknown>>(accountId: string, method: string, path: string, body?: unknown): Promise<Reply<T>> => {
    if (!tokens.has(accountId)) tokens.set(accountId, await stack.contextToken(accountId));
    return request<T>(`${stack.keepsake.url}${path}`, method, body, { Authorization: `JWT ${tokens.get(accountId)}` });
  };
  const storage = async () => (await stack.api<{ activeBackend: string | null; move: unknown }>(admin, 'GET', '/api/admin/storage')).body;

  before(async () => {
    stack = await startStack({ settings: { KEEPSAKE_CACHE_TTL_SECONDS: 0 } });
    for (let i = 0; i < 10; i++) {
      const page = await stack.control<{ id: string }>('POST', '/pages', { spaceKey: 'ENG', title: `Team page ${i}` });
      assert.equal(page.status, 201);
      pageIds.push(page.body.id);
    }
    // Seeded on user properties, concurrently: each user a view mode, tracking and a bookmark.
    for (let i = 0; i < USERS; i++) users.push(newAccountId());
    await inParallel(users, 12, async (accountId, i) => {
      assert.equal((await stack.control('POST', '/users', { accountId, displayName: `User ${i}` })).status, 201);
      const patched = await call(accountId, 'PATCH', '/api/preferences', {
        viewMode: ['compact', 'focus', 'comfortable'][i % 3],
        tracking: { analytics: i % 2 === 0 },
      });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      const bookmarked = await call(accountId, 'POST', '/api/bookmarks', { contentId: pageIds[i % pageIds.length] });
      assert.equal(bookmarked.status, 200, JSON.stringify(bookmarked.body));
      assert.equal(bookmarked.body.backend, 'user-properties');
      // What the preferences say afterwards: the answer without where it lives and this page's state.
      const view = withoutBackend(bookmarked.body);
      delete view.page;
      expected.set(accountId, { view, bookmarks: [pageIds[i % pageIds.length]] });
    });
  });
  after(async () => stack?.close());

  it('moves every user into app properties, within the cap of 100', async () => {
    const current = await stack.api<{ settings: Record<string, unknown> }>(admin, 'GET', '/api/admin/settings');
    const saved = await stack.api(admin, 'PUT', '/api/admin/settings', { ...current.body.settings, mode: 'app-properties' });
    assert.equal(saved.status, 202, JSON.stringify(saved.body));
    await eventually('the move has finished', async () => (await storage()).move === null, { tries: 1200, pauseMs: 50 });
    assert.equal((await storage()).activeBackend, 'app-properties', JSON.stringify(await storage()));

    const keys = await stack.apRequest<{ keys: { key: string }[] }>(admin, 'GET', `/rest/atlassian-connect/1/addons/${APP_KEY}/properties`);
    assert.equal(keys.status, 200);
    const count = keys.json.keys.length;
    console.log(`      ${USERS} users in ${count} app properties`);
    assert.ok(count <= MAX_PROPERTIES, `${count} app properties`);
    assert.ok(
      keys.json.keys.every(({ key }) => /^kb-\d+\.\d+$/.test(key)),
      JSON.stringify(keys.json.keys.slice(0, 5)),
    );
  });

  it('reads every user back as they saved it', async () => {
    await inParallel(users, 12, async (accountId, i) => {
      const want = expected.get(accountId)!;
      const view = await call(accountId, 'GET', '/api/preferences');
      assert.equal(view.status, 200, JSON.stringify(view.body));
      assert.equal(view.body.backend, 'app-properties');
      assert.deepEqual(withoutBackend(view.body), want.view, accountId);
      // The count is in the preferences; which page it is, for every tenth user (one more read each).
      if (i % 10 === 0) assert.deepEqual(await setIds((path) => call(accountId, 'GET', path), 'bookmarks'), want.bookmarks, accountId);
    });
  });
});
