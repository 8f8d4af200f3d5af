import assert from 'node:assert/strict';
import { SEEDED_USERS, startEmulator } from '../../emulator';
import { request, type Emulator } from '../support/keepsake-stack';
import { startKeepsakeProcess, type KeepsakeProcess } from '../support/keepsake-process';

const alice = SEEDED_USERS.alice.accountId;

interface View {
  viewMode: string;
  bookmarks: { contentId: string }[];
}

describe('several Keepsake processes on one Postgres', function () {
  let emulator: Emulator;
  let a: KeepsakeProcess;
  let b: KeepsakeProcess;
  let token: string;
  const pageIds: string[] = [];

  before(async function () {
    if (!process.env.DATABASE_URL) {
      console.log('      (skipped: set DATABASE_URL to a Postgres database; .ci/run does)');
      this.skip();
    }
    emulator = await startEmulator({ port: 0 });
    for (let i = 0; i < 100; i++) {
      const page = await request<{ id: string }>(`${emulator.baseUrl}/_emulator/pages`, 'POST', { spaceKey: 'ENG', title: `Load page ${i}` });
      assert.equal(page.status, 201);
      pageIds.push(page.body.id);
    }
    const env = {
      DATABASE_URL: process.env.DATABASE_URL!,
      CONNECT_KEYS_CDN_URL: emulator.keysUrl,
      KEEPSAKE_OAUTH_SERVER_URL: emulator.oauthServerUrl,
    };
    [a, b] = await Promise.all([startKeepsakeProcess(env), startKeepsakeProcess(env)]);
    const installed = await request(`${emulator.baseUrl}/_emulator/apps`, 'POST', { descriptorUrl: `${a.url}/atlassian-connect.json` });
    assert.equal(installed.status, 201, JSON.stringify(installed.body));
    const minted = await request<{ token: string }>(`${emulator.baseUrl}/_emulator/context-token`, 'POST', { appKey: 'keepsake', accountId: alice });
    token = minted.body.token;
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await emulator?.close();
  });

  const call = <T>(instance: KeepsakeProcess, method: string, path: string, body?: unknown) =>
    request<T>(`${instance.url}${path}`, method, body, { Authorization: `JWT ${token}` });

  it('loses none of 100 bookmarks added at once, 50 through each process', async () => {
    const replies = await Promise.all(pageIds.map((id, i) => call(i % 2 ? a : b, 'POST', '/api/bookmarks', { contentId: id })));
    for (const reply of replies) assert.equal(reply.status, 200, JSON.stringify(reply.body));
    // What Confluence holds, read the way alice's iframe would.
    const stored = await request<{ status: number; json: { value: { bookmarks: { contentId: string }[] } } }>(`${emulator.baseUrl}/_emulator/ap-request`, 'POST', {
      appKey: 'keepsake',
      accountId: alice,
      method: 'GET',
      path: `/rest/api/user/${encodeURIComponent(alice)}/property/keepsake-main`,
    });
    assert.equal(stored.body.status, 200);
    assert.deepEqual(stored.body.json.value.bookmarks.map((x) => x.contentId).sort(), [...pageIds].sort());
    for (const instance of [a, b]) {
      const view = await call<View>(instance, 'GET', '/api/preferences');
      assert.deepEqual(view.body.bookmarks.map((x) => x.contentId).sort(), [...pageIds].sort());
    }
  });

  it('reads through one process what was written through the other, although both cache it', async () => {
    // Both have alice in memory now; a write through one reaches the other by NOTIFY, which
    // travels a moment after the answer: read until it arrives (bounded), then it must hold.
    const readUntil = async (instance: KeepsakeProcess, viewMode: string) => {
      for (let i = 0; i < 100; i++) {
        if ((await call<View>(instance, 'GET', '/api/preferences')).body.viewMode === viewMode) return true;
        await new Promise((r) => setTimeout(r, 20));
      }
      return false;
    };
    assert.equal((await call<View>(a, 'PATCH', '/api/preferences', { viewMode: 'focus' })).status, 200);
    assert.ok(await readUntil(b, 'focus'), 'b sees the write made through a');
    assert.equal((await call<View>(b, 'PATCH', '/api/preferences', { viewMode: 'compact' })).status, 200);
    assert.ok(await readUntil(a, 'compact'), 'a sees the write made through b');
  });
});
