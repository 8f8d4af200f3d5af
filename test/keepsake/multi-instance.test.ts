import assert from 'node:assert/strict';
import { SEEDED_USERS, startEmulator } from '../../emulator';
import { request, type Emulator } from '../support/keepsake-stack';
import { freshPostgres } from '../support/postgres-database';
import { eventually } from '../support/eventually';
import { startKeepsakeProcess, type KeepsakeProcess } from '../support/keepsake-process';
import { setIds } from '../support/set-entries';
import type { PreferencesSummary } from '../../lib/preferences/preferences-summary';

const alice = SEEDED_USERS.alice.accountId;

describe('several Keepsake processes on one Postgres', function () {
  let emulator: Emulator;
  let a: KeepsakeProcess;
  let b: KeepsakeProcess;
  let token: string;
  const pageIds: string[] = [];

  before(async function () {
    const databaseUrl = await freshPostgres(this);
    emulator = await startEmulator({ port: 0 });
    for (let i = 0; i < 100; i++) {
      const page = await request<{ id: string }>(`${emulator.baseUrl}/_emulator/pages`, 'POST', {
        spaceKey: 'ENG',
        title: `Load page ${i}`,
      });
      assert.equal(page.status, 201);
      pageIds.push(page.body.id);
    }
    const env = {
      DATABASE_URL: databaseUrl,
      CONNECT_KEYS_CDN_URL: emulator.keysUrl,
      KEEPSAKE_OAUTH_SERVER_URL: emulator.oauthServerUrl,
    };
    [a, b] = await Promise.all([startKeepsakeProcess(env), startKeepsakeProcess(env)]);
    const installed = await request(`${emulator.baseUrl}/_emulator/apps`, 'POST', { descriptorUrl: `${a.url}/atlassian-connect.json` });
    assert.equal(installed.status, 201, JSON.stringify(installed.body));
    const minted = await request<{ token: string }>(`${emulator.baseUrl}/_emulator/context-token`, 'POST', {
      appKey: 'keepsake',
      accountId: alice,
    });
    token = minted.body.token;
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await emulator?.close();
  });

  const call = <T>(instance: KeepsakeProcess, method: string, path: string, body?: unknown) =>
    request<T>(`${instance.url}${path}`, method, body, { Authorization: `JWT ${token}` });

  it('loses none of 100 bookmarks added at once, 50 through each process', async () => {
    // Each process queues a bounded number of one user's writes and refuses the rest with 429
    // and Retry-After (KEEPSAKE_MAX_QUEUED_WRITES): a client tries again when told to.
    const add = async (instance: KeepsakeProcess, id: string): Promise<{ status: number; body: unknown }> => {
      const reply = await call(instance, 'POST', '/api/bookmarks', { contentId: id });
      if (reply.status !== 429) return reply;
      await new Promise((resolve) => setTimeout(resolve, Number(reply.headers.get('retry-after')) * 1000));
      return add(instance, id);
    };
    const replies = await Promise.all(pageIds.map((id, i) => add(i % 2 ? a : b, id)));
    for (const reply of replies) assert.equal(reply.status, 200, JSON.stringify(reply.body));
    // What Confluence holds, read the way alice's iframe would: one record, encrypted.
    const stored = await request<{ status: number; json: { value: Record<string, unknown> } }>(
      `${emulator.baseUrl}/_emulator/ap-request`,
      'POST',
      {
        appKey: 'keepsake',
        accountId: alice,
        method: 'GET',
        path: `/rest/api/user/${encodeURIComponent(alice)}/property/keepsake-main`,
      },
    );
    assert.equal(stored.body.status, 200);
    assert.deepEqual(Object.keys(stored.body.json.value).sort(), ['box', 'k']);
    for (const instance of [a, b]) {
      assert.deepEqual(await setIds((path) => call(instance, 'GET', path), 'bookmarks'), [...pageIds].sort());
    }
  });

  it('reads through one process what was written through the other, although both cache it', async () => {
    // Both have alice in memory now; a write through one reaches the other by NOTIFY, which
    // travels a moment after the answer: read until it arrives (bounded), then it must hold.
    const reads = (instance: KeepsakeProcess, viewMode: string) => async () =>
      (await call<PreferencesSummary>(instance, 'GET', '/api/preferences')).body.viewMode === viewMode;
    assert.equal((await call<PreferencesSummary>(a, 'PATCH', '/api/preferences', { viewMode: 'focus' })).status, 200);
    await eventually('b sees the write made through a', reads(b, 'focus'));
    assert.equal((await call<PreferencesSummary>(b, 'PATCH', '/api/preferences', { viewMode: 'compact' })).status, 200);
    await eventually('a sees the write made through b', reads(a, 'compact'));
  });
});
