// Storage moves as background jobs (issue 11): the admin's save answers 202 at once and the
// move runs in the background, one instance at a time per site under a lease in the database,
// resumable after a crash; users read and write throughout and nothing is lost.
import assert from 'node:assert/strict';
import { SEEDED_USERS, startEmulator } from '../../emulator';
import { newAccountId } from '../../emulator/accounts';
import { eventually } from '../support/eventually';
import { request, startStack, storeKinds, type Emulator, type Reply, type Stack } from '../support/keepsake-stack';
import { freshPostgres } from '../support/postgres-database';
import { startKeepsakeProcess, type KeepsakeProcess } from '../support/keepsake-process';
import type { StorageStatus } from '../../lib/api/answers';

const admin = SEEDED_USERS.admin.accountId;
const VIEW_MODES = ['comfortable', 'compact', 'focus'] as const;
/** Until the app-property backend packs users into buckets, each user is one app property: lift the emulator's cap of 100 per app (this can go once the bucket layout lands). */
const MANY_APP_PROPERTIES = { appPropertyMaxPerApp: 20_000 };

type View = Record<string, unknown> & { backend: string; viewMode: string };

/** Runs `fn` over `items`, `width` at a time. */
async function inParallel<T>(items: T[], width: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let i = next++; i < items.length; i = next++) await fn(items[i], i);
    }),
  );
}

/** A user's preferences as Keepsake shows them, without where they live. */
function withoutBackend(view: View): Record<string, unknown> {
  return Object.fromEntries(Object.entries(view).filter(([key]) => key !== 'backend'));
}

for (const store of storeKinds()) {
  describe(`storage moves in the background (${store})`, function () {
    this.timeout(120_000);
    let stack: Stack;
    const users: string[] = [];
    /** What each user's preferences must be. */
    const expected = new Map<string, Record<string, unknown>>();

    const status = async () => (await stack.api<StorageStatus>(admin, 'GET', '/api/admin/storage')).body;
    const putMode = async (mode: string): Promise<Reply<{ storage: StorageStatus }>> => {
      const current = await stack.api<{ settings: Record<string, unknown> }>(admin, 'GET', '/api/admin/settings');
      return stack.api(admin, 'PUT', '/api/admin/settings', { ...current.body.settings, mode });
    };
    const settled = (what: string) => eventually(what, async () => (await status()).move === null, { tries: 1200, pauseMs: 50 });
    const checkEveryUser = async (backend: string) => {
      await inParallel(users, 8, async (accountId) => {
        const view = await stack.api<View>(accountId, 'GET', '/api/preferences');
        assert.equal(view.status, 200, JSON.stringify(view.body));
        assert.equal(view.body.backend, backend, accountId);
        assert.deepEqual(withoutBackend(view.body), expected.get(accountId), accountId);
      });
    };

    before(async () => {
      // One attempt per Confluence call: a refusal reaches the move itself, which waits it out.
      stack = await startStack({
        store,
        emulatorSettings: MANY_APP_PROPERTIES,
        settings: { KEEPSAKE_CACHE_TTL_SECONDS: 0, KEEPSAKE_CONFLUENCE_ATTEMPTS: 1 },
      });
      for (let i = 0; i < 60; i++) {
        const accountId = newAccountId();
        assert.equal((await stack.control('POST', '/users', { accountId, displayName: `Mover ${i}` })).status, 201);
        users.push(accountId);
      }
      await inParallel(users, 8, async (accountId, i) => {
        assert.equal(
          (await stack.api(accountId, 'PATCH', '/api/preferences', { viewMode: VIEW_MODES[i % 3], tracking: { analytics: i % 2 === 0 } }))
            .status,
          200,
        );
        const saved = await stack.api<View>(accountId, 'PUT', '/api/profile', { pronouns: `p${i}`, note: `note of user ${i}` });
        assert.equal(saved.status, 200, JSON.stringify(saved.body));
        expected.set(accountId, withoutBackend(saved.body));
      });
    });
    after(async () => stack?.close());

    it('answers the save at once (202) and moves every user in the background, while users read and write; nothing is lost', async () => {
      // Slow Confluence a little, so the move is still under way while users work.
      await stack.control('POST', '/faults', { latencyMs: 60 });
      const saved = await putMode('app-properties');
      assert.equal(saved.status, 202, JSON.stringify(saved.body));
      const move = saved.body.storage.move;
      assert.equal(move?.state, 'moving');
      assert.equal(move?.to, 'app-properties');
      assert.ok((move?.total ?? 0) >= users.length);
      assert.equal(saved.body.storage.activeBackend, 'user-properties', 'the old backend stays in use until the move finishes');

      await eventually('some users have moved', async () => ((await status()).move?.moved ?? 0) > 0, { tries: 600, pauseMs: 20 });
      // Half the users change something mid-move; the other half read theirs.
      await inParallel(users, 10, async (accountId, i) => {
        if (i % 2 === 0) {
          const changed = await stack.api<View>(accountId, 'PATCH', '/api/preferences', { viewMode: VIEW_MODES[(i + 1) % 3] });
          assert.equal(changed.status, 200, JSON.stringify(changed.body));
          expected.set(accountId, withoutBackend(changed.body));
        } else {
          const read = await stack.api<View>(accountId, 'GET', '/api/preferences');
          assert.equal(read.status, 200, JSON.stringify(read.body));
          assert.deepEqual(withoutBackend(read.body), expected.get(accountId));
        }
      });
      const during = await status();
      assert.equal(during.move?.state, 'moving', 'the users worked while the move was under way');
      assert.ok(during.move.moved > 0 && during.move.remaining > 0, JSON.stringify(during.move));

      await stack.control('DELETE', '/faults');
      await settled('the move finished');
      assert.equal((await status()).activeBackend, 'app-properties');
      await checkEveryUser('app-properties');
    });

    it('moves back, and answers 200 when a save moves nothing', async () => {
      assert.equal((await putMode('user-properties')).status, 202);
      await settled('the move back finished');
      await checkEveryUser('user-properties');
      const again = await putMode('user-properties');
      assert.equal(again.status, 200, JSON.stringify(again.body));
      assert.equal(again.body.storage.move, null);
    });

    it('waits out Confluence’s rate limit and finishes without a failure', async () => {
      await stack.control('DELETE', '/requests');
      await stack.control('POST', '/faults', {
        status: 429,
        retryAfter: 1,
        count: 4,
        pathPrefix: '/wiki/rest/atlassian-connect/1/addons/',
      });
      assert.equal((await putMode('app-properties')).status, 202);
      await settled('the move finished after the rate limit');
      const log = await stack.control<{ status: number }[]>('GET', '/requests?pathPrefix=/wiki/rest/atlassian-connect/1/addons/');
      assert.equal(log.body.filter((r) => r.status === 429).length, 4, 'the rate limit was met');
      assert.equal((await status()).activeBackend, 'app-properties');
      await checkEveryUser('app-properties');
    });

    it('stops on a refusal with its reason, keeps users working, and finishes on the admin’s retry', async () => {
      await stack.control('POST', '/faults', { status: 403, count: 100_000, pathPrefix: '/wiki/rest/api/user/' });
      // Back to user properties, which now refuse every call.
      const saved = await putMode('user-properties');
      assert.equal(saved.status, 202);
      await eventually('the move stopped', async () => (await status()).move?.state === 'failed', { tries: 1200, pauseMs: 50 });
      const failed = (await status()).move!;
      assert.equal(failed.failed, failed.remaining);
      assert.ok(failed.remaining >= users.length);
      assert.match(failed.error ?? '', /users could not be moved: Confluence refused/);
      // Nothing moved, nothing lost: the users' data is where it was, readable and writable.
      const [first] = users;
      const changed = await stack.api<View>(first, 'PATCH', '/api/preferences', { panelCollapsed: true });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      assert.equal(changed.body.backend, 'app-properties');
      expected.set(first, withoutBackend(changed.body));

      await stack.control('DELETE', '/faults');
      const retried = await stack.api<{ storage: StorageStatus }>(admin, 'POST', '/api/admin/storage/move');
      assert.equal(retried.status, 202, JSON.stringify(retried.body));
      assert.equal(retried.body.storage.move?.state, 'moving');
      assert.equal(retried.body.storage.move?.failed, 0);
      await settled('the retried move finished');
      await checkEveryUser('user-properties');
    });
  });
}

describe('5,000 users moved both ways by two processes on Postgres, one killed mid-move', function () {
  this.timeout(30 * 60_000);
  const USERS = 5000;
  let emulator: Emulator;
  let env: Record<string, string>;
  const instances: KeepsakeProcess[] = [];
  const users: string[] = [];
  const expected = new Map<string, Record<string, unknown>>();

  before(async function () {
    const databaseUrl = await freshPostgres(this);
    emulator = await startEmulator({ port: 0, settings: MANY_APP_PROPERTIES });
    env = {
      DATABASE_URL: databaseUrl,
      CONNECT_KEYS_CDN_URL: emulator.keysUrl,
      KEEPSAKE_OAUTH_SERVER_URL: emulator.oauthServerUrl,
      // Every read goes to Confluence: what is compared at the end is what Confluence holds.
      KEEPSAKE_CACHE_TTL_SECONDS: '0',
      // Each instance looks every second for a move no live instance runs.
      KEEPSAKE_MOVE_CHECK_SECONDS: '1',
    };
    instances.push(...(await Promise.all([startKeepsakeProcess(env), startKeepsakeProcess(env)])));
    const installed = await request(`${emulator.baseUrl}/_emulator/apps`, 'POST', {
      descriptorUrl: `${instances[0].url}/atlassian-connect.json`,
    });
    assert.equal(installed.status, 201, JSON.stringify(installed.body));
    for (let i = 0; i < USERS; i++) users.push(newAccountId());
    await inParallel(users, 16, async (accountId, i) => {
      const created = await request(`${emulator.baseUrl}/_emulator/users`, 'POST', { accountId, displayName: `User ${i}` });
      assert.equal(created.status, 201);
      const saved = await call<View>(instances[i % 2], accountId, 'PATCH', '/api/preferences', {
        viewMode: VIEW_MODES[i % 3],
        tracking: { analytics: i % 2 === 0, productEmails: i % 5 === 0 },
      });
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      expected.set(accountId, withoutBackend(saved.body));
    });
  });
  after(async () => {
    await Promise.all(instances.map((i) => i.stop()));
    await emulator?.close();
  });

  async function call<T>(instance: KeepsakeProcess, accountId: string, method: string, path: string, body?: unknown): Promise<Reply<T>> {
    const minted = await request<{ token: string }>(`${emulator.baseUrl}/_emulator/context-token`, 'POST', {
      appKey: 'keepsake',
      accountId,
    });
    return request<T>(`${instance.url}${path}`, method, body, { Authorization: `JWT ${minted.body.token}` });
  }
  const status = async (instance: KeepsakeProcess) => (await call<StorageStatus>(instance, admin, 'GET', '/api/admin/storage')).body;

  /** Asks `asked` to move everything to `mode`, kills it once a fifth has moved, and waits for `survivor` to finish. */
  async function moveWithACrash(mode: string, asked: KeepsakeProcess, survivor: KeepsakeProcess): Promise<void> {
    const current = await call<{ settings: Record<string, unknown> }>(asked, admin, 'GET', '/api/admin/settings');
    const saved = await call<{ storage: StorageStatus }>(asked, admin, 'PUT', '/api/admin/settings', { ...current.body.settings, mode });
    assert.equal(saved.status, 202, JSON.stringify(saved.body));
    assert.equal(saved.body.storage.move?.total, USERS);
    await eventually('a fifth of the users moved', async () => ((await status(survivor)).move?.moved ?? 0) >= USERS / 5, {
      tries: 3000,
      pauseMs: 100,
    });
    await asked.kill();
    const atCrash = (await status(survivor)).move!;
    assert.ok(atCrash.remaining > 0, 'killed mid-move');
    // Users work on through the survivor while the move waits for the dead instance's lease to lapse.
    await inParallel(users.slice(0, 100), 8, async (accountId, i) => {
      const changed = await call<View>(survivor, accountId, 'PATCH', '/api/preferences', { panelCollapsed: i % 2 === 0 });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      expected.set(accountId, withoutBackend(changed.body));
    });
    await eventually('the survivor finished the move', async () => (await status(survivor)).move === null, { tries: 12_000, pauseMs: 100 });
    assert.equal((await status(survivor)).activeBackend, mode);
  }

  async function checkUsers(instance: KeepsakeProcess, backend: string, which: string[]): Promise<void> {
    await inParallel(which, 16, async (accountId) => {
      const view = await call<View>(instance, accountId, 'GET', '/api/preferences');
      assert.equal(view.status, 200, JSON.stringify(view.body));
      assert.equal(view.body.backend, backend, accountId);
      assert.deepEqual(withoutBackend(view.body), expected.get(accountId), accountId);
    });
  }

  it('moves them to app properties: the first process is killed mid-move, the second takes over its lease and finishes', async () => {
    const [a, b] = instances;
    await moveWithACrash('app-properties', a, b);
    // Every user is compared after the move back; here, the ones changed mid-move and a sample.
    await checkUsers(
      b,
      'app-properties',
      users.filter((_, i) => i < 100 || i % 25 === 0),
    );
  });

  it('moves them back to user properties: a restarted process is asked, the other killed mid-move, the restarted one finishes', async () => {
    // The first process comes back (a restart); this time the one that ran the last move is asked, then killed.
    instances[0] = await startKeepsakeProcess(env);
    const [restarted, b] = instances;
    await moveWithACrash('user-properties', b, restarted);
    await checkUsers(restarted, 'user-properties', users);
  });
});
