// Atlassian's personal-data reporting cycle (issue 10): Keepsake reports every account it holds
// anything about, 90 at a time; an account Atlassian says is closed is erased everywhere
// Keepsake keeps data; a rate limit pauses the cycle, which resumes where it stopped.
import assert from 'node:assert/strict';
import { QueryTypes } from 'sequelize';
import { SEEDED_USERS, startEmulator } from '../../emulator';
import { eventually } from '../support/eventually';
import { openedBucketRecord } from '../support/stored-records';
import { startKeepsakeProcess, type KeepsakeProcess } from '../support/keepsake-process';
import { APP_KEY, request, startStack, storeKinds, type Emulator, type Stack } from '../support/keepsake-stack';
import { freshPostgres } from '../support/postgres-database';
import type { CycleOutcome as Outcome } from '../../lib/api/answers';

const { alice, bob, admin } = SEEDED_USERS;
const REPORT_PATH = '/wiki/rest/atlassian-connect/latest/report-accounts';

async function rowsAbout(stack: Stack, accountId: string): Promise<number> {
  let rows = 0;
  for (const table of ['keepsake_preference_cache', 'keepsake_cookie_migrations']) {
    const [{ n }] = await stack.keepsake.keepsake.sequelize.query<{ n: number | string }>(
      `SELECT COUNT(*) AS n FROM ${table} WHERE "clientKey" = :clientKey AND "accountId" = :accountId`,
      { replacements: { clientKey: stack.clientKey, accountId }, type: QueryTypes.SELECT },
    );
    rows += Number(n);
  }
  return rows;
}

/** Cache rows for accounts Keepsake has seen but holds nothing for (as a card lookup leaves). */
async function seenAccounts(stack: Stack, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `712020:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
  const cache = stack.keepsake.keepsake.sequelize.models.KeepsakePreferenceCache;
  await cache.bulkCreate(
    ids.map((accountId) => ({
      clientKey: stack.clientKey,
      accountId,
      backend: 'user-properties',
      gen: 0,
      chunks: [],
      tampered: [],
      fetchedAt: new Date(),
    })),
  );
  return ids;
}

async function reportCalls(stack: Stack): Promise<{ status: number }[]> {
  const log = await stack.control<{ method: string; path: string; status: number }[]>('GET', '/requests');
  return log.body.filter((e) => e.method === 'POST' && e.path === REPORT_PATH);
}

for (const store of storeKinds()) {
  for (const backend of ['user-properties', 'app-properties'] as const) {
    describe(`personal-data reporting: a closed account is erased everywhere (${store}, ${backend})`, () => {
      let stack: Stack;
      before(async () => {
        stack = await startStack({ store });
        if (backend === 'app-properties') await stack.control('POST', '/faults', { userPropertiesOff: true });
        for (const user of [alice, bob]) {
          await stack.api(user.accountId, 'PATCH', '/api/preferences', { viewMode: 'focus' });
          await stack.api(user.accountId, 'POST', '/api/bookmarks', { contentId: '65602' });
          await stack.api(user.accountId, 'PUT', '/api/profile', { pronouns: 'they/them' });
          await stack.api(user.accountId, 'POST', '/api/migrations/cookies', { cookies: { keepsake_watches: '65603' } });
        }
      });
      after(async () => stack?.close());

      it('reports the accounts Keepsake holds, and erases the one Atlassian says is closed', async () => {
        assert.equal((await stack.control('POST', `/users/${encodeURIComponent(alice.accountId)}/close`)).status, 200);
        const keysBefore = (
          await stack.apRequest<{ keys: { key: string }[] }>(
            admin.accountId,
            'GET',
            `/rest/atlassian-connect/1/addons/${APP_KEY}/properties`,
          )
        ).json.keys.length;
        await stack.control('DELETE', '/requests');
        const run = await stack.api<Outcome>(admin.accountId, 'POST', '/api/admin/personal-data/report');
        assert.equal(run.status, 200, JSON.stringify(run.body));
        assert.equal(run.body.state, 'done');
        assert.equal(run.body.reported, 2, 'alice and bob');
        assert.equal(run.body.closed, 1);
        assert.ok(run.body.erased >= 2, `her records and her migration entry: ${run.body.erased}`);
        const due = new Date(run.body.nextCycleAt ?? 0).getTime() - Date.now();
        assert.ok(due > 6.9 * 24 * 3600 * 1000 && due <= 7 * 24 * 3600 * 1000, 'the next cycle in 7 days (Cycle-Period)');
        assert.equal((await reportCalls(stack)).length, 1);

        assert.equal(await rowsAbout(stack, alice.accountId), 0, 'no row about alice in Keepsake’s tables');
        if (backend === 'user-properties') {
          const props = await stack.apRequest<{ results: { key: string }[] }>(
            admin.accountId,
            'GET',
            `/rest/api/user/${encodeURIComponent(alice.accountId)}/property?limit=25`,
          );
          assert.deepEqual(
            props.json.results.filter((r) => r.key.startsWith('keepsake-')),
            [],
            'no keepsake-* user property of alice’s',
          );
        } else {
          // Users share app-property buckets (1 in 40 pairs share one): what counts is that hers holds nothing of alice's now, and bob's is intact.
          assert.equal(await openedBucketRecord(stack, alice.accountId), undefined, 'no record of alice’s in her bucket');
          assert.ok(await openedBucketRecord(stack, bob.accountId), 'bob’s record is still there');
          assert.ok(keysBefore > 0);
        }
        const card = await stack.api<{ profile: Record<string, string> }>(
          bob.accountId,
          'GET',
          `/api/profile/${encodeURIComponent(alice.accountId)}`,
        );
        assert.deepEqual(card.body.profile, {}, 'her public card is never shown again');
        const bobs = await stack.api<{ viewMode: string; profile: Record<string, string> }>(bob.accountId, 'GET', '/api/preferences');
        assert.equal(bobs.body.viewMode, 'focus');
        assert.deepEqual(bobs.body.profile, { pronouns: 'they/them' });

        const stats = await stack.api<{ personalData: Outcome & { lastCycleAt: string } }>(admin.accountId, 'GET', '/api/admin/stats');
        assert.equal(stats.body.personalData.closed, 1);
        assert.ok(stats.body.personalData.lastCycleAt);
      });
    });
  }

  describe(`personal-data reporting: batches and rate limits (${store})`, () => {
    let stack: Stack;
    before(async () => {
      stack = await startStack({ store });
      await stack.api(alice.accountId, 'PATCH', '/api/preferences', { viewMode: 'focus' });
    });
    after(async () => stack?.close());

    it('reports 200 accounts in calls of at most 90', async () => {
      await seenAccounts(stack, 199);
      await stack.control('DELETE', '/requests');
      const run = await stack.api<Outcome>(admin.accountId, 'POST', '/api/admin/personal-data/report');
      assert.equal(run.body.state, 'done', JSON.stringify(run.body));
      assert.equal(run.body.reported, 200);
      assert.equal((await reportCalls(stack)).length, 3, '90 + 90 + 20');
    });

    it('pauses at a rate limit and resumes where it stopped, reporting nobody twice', async () => {
      await stack.control('DELETE', '/requests');
      // The second report call of the cycle answers 429 with a Retry-After longer than Keepsake waits.
      await stack.control('POST', '/faults', { status: 429, retryAfter: 30, pathPrefix: REPORT_PATH, skip: 1 });
      const paused = await stack.api<Outcome>(admin.accountId, 'POST', '/api/admin/personal-data/report');
      assert.equal(paused.status, 200, JSON.stringify(paused.body));
      assert.equal(paused.body.state, 'paused');
      assert.equal(paused.body.reported, 90, 'the first batch went through');
      assert.match(paused.body.pausedBecause ?? '', /limiting the rate/);

      const status = await stack.api<{ personalData: Outcome }>(admin.accountId, 'GET', '/api/admin/stats');
      assert.equal(status.body.personalData.state, 'paused');

      const resumed = await stack.api<Outcome>(admin.accountId, 'POST', '/api/admin/personal-data/report');
      assert.equal(resumed.body.state, 'done', JSON.stringify(resumed.body));
      assert.equal(resumed.body.reported, 200, 'every account once in the cycle');
      const calls = await reportCalls(stack);
      assert.deepEqual(
        calls.map((c) => c.status),
        [204, 429, 204, 204],
        'one batch, the refused one, then the two left',
      );
    });
  });
}

describe('personal-data reporting across two instances on Postgres', function () {
  this.timeout(120_000);
  let emulator: Emulator;
  let a: KeepsakeProcess;
  let b: KeepsakeProcess;

  before(async function () {
    const databaseUrl = await freshPostgres(this);
    emulator = await startEmulator({ port: 0 });
    const env = { DATABASE_URL: databaseUrl, CONNECT_KEYS_CDN_URL: emulator.keysUrl, KEEPSAKE_OAUTH_SERVER_URL: emulator.oauthServerUrl };
    [a, b] = await Promise.all([startKeepsakeProcess(env), startKeepsakeProcess(env)]);
    const installed = await request(`${emulator.baseUrl}/_emulator/apps`, 'POST', { descriptorUrl: `${a.url}/atlassian-connect.json` });
    assert.equal(installed.status, 201, JSON.stringify(installed.body));
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await emulator?.close();
  });

  const call = async <T>(instance: KeepsakeProcess, accountId: string, method: string, path: string, body?: unknown) => {
    const minted = await request<{ token: string }>(`${emulator.baseUrl}/_emulator/context-token`, 'POST', { appKey: APP_KEY, accountId });
    return request<T>(`${instance.url}${path}`, method, body, { Authorization: `JWT ${minted.body.token}` });
  };

  /** The panel's HTML on a page, for a viewer, served by the given instance. */
  const panelOn = async (instance: KeepsakeProcess, viewer: string, pageId: string): Promise<string> => {
    const { body } = await request<{ url: string }>(
      `${emulator.baseUrl}/_emulator/iframe-url?appKey=${APP_KEY}&moduleKey=keepsake-panel&accountId=${encodeURIComponent(viewer)}&pageId=${pageId}`,
      'GET',
    );
    const url = new URL(body.url);
    url.host = new URL(instance.url).host;
    const page = await fetch(url);
    assert.equal(page.status, 200);
    return page.text();
  };
  const ALICES_PAGE = '65602';
  const BOBS_PAGE = '65603';

  it('erases a closed account through one instance, and the other shows nothing of it either', async () => {
    assert.equal((await call(a, alice.accountId, 'PUT', '/api/profile', { pronouns: 'she/her', note: 'Gone soon' })).status, 200);
    // B holds alice's card in memory now, and her name as the author of her page.
    assert.deepEqual(
      (await call<{ profile: object }>(b, bob.accountId, 'GET', `/api/profile/${encodeURIComponent(alice.accountId)}`)).body.profile,
      { pronouns: 'she/her', note: 'Gone soon' },
    );
    assert.match(await panelOn(b, bob.accountId, ALICES_PAGE), new RegExp(alice.displayName));
    await request(`${emulator.baseUrl}/_emulator/users/${encodeURIComponent(alice.accountId)}/close`, 'POST');
    const run = await call<Outcome>(a, admin.accountId, 'POST', '/api/admin/personal-data/report');
    assert.equal(run.body.closed, 1, JSON.stringify(run.body));
    // The change feed drops B's copy a moment after A's erasure.
    await eventually('her card is gone on the other instance too', async () => {
      const card = (await call<{ profile: object }>(b, bob.accountId, 'GET', `/api/profile/${encodeURIComponent(alice.accountId)}`)).body
        .profile;
      return Object.keys(card).length === 0;
    });
    // Her name, kept in B's memory for ten minutes otherwise, is asked of Confluence again.
    await eventually('her name is gone from the panel on the other instance', async () => {
      const panel = await panelOn(b, bob.accountId, ALICES_PAGE);
      return !panel.includes(alice.displayName) && panel.includes('Former user');
    });
  });

  it('drops the name it kept of an account Atlassian reports updated, on the other instance too', async () => {
    assert.equal((await call(a, bob.accountId, 'PUT', '/api/profile', { pronouns: 'he/him' })).status, 200);
    assert.match(await panelOn(b, admin.accountId, BOBS_PAGE), new RegExp(bob.displayName));
    const renamed = await request(`${emulator.baseUrl}/_emulator/users/${encodeURIComponent(bob.accountId)}`, 'PATCH', {
      displayName: 'Robert Renamed',
    });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    const run = await call<Outcome>(a, admin.accountId, 'POST', '/api/admin/personal-data/report');
    assert.equal(run.body.updated, 1, JSON.stringify(run.body));
    await eventually('the new name shows on the other instance', async () =>
      (await panelOn(b, admin.accountId, BOBS_PAGE)).includes('Robert Renamed'),
    );
  });

  it('runs a site’s cycle on one instance at a time: asked on both at once, one reports and the other answers busy', async () => {
    // The first report call is held, so the cycle that makes it is still running when the other instance is asked.
    await request(`${emulator.baseUrl}/_emulator/faults`, 'POST', { slowNext: { method: 'POST', latencyMs: 5000 } });
    await request(`${emulator.baseUrl}/_emulator/requests`, 'DELETE');
    const runs = await Promise.all(
      [a, b].map((instance) => call<Outcome>(instance, admin.accountId, 'POST', '/api/admin/personal-data/report')),
    );
    assert.deepEqual(runs.map((r) => r.body.state).sort(), ['busy', 'done'], JSON.stringify(runs.map((r) => r.body)));
    const log = await request<{ method: string; path: string }[]>(`${emulator.baseUrl}/_emulator/requests`, 'GET');
    assert.equal(
      log.body.filter((e) => e.method === 'POST' && e.path === REPORT_PATH).length,
      1,
      'one cycle’s one batch reached Atlassian',
    );
  });
});
