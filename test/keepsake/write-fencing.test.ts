// No acknowledged write is lost when a writer loses its lock mid-write (issue 8): instance A
// holds alice's lock and its PUT to Confluence is slow; A's database session is killed, so
// the advisory lock goes; instance B takes it, writes and answers 200; then A's PUT lands.
// Confluence has no conditional write: the cache's record of the acknowledged write (its
// generation and writer id) is what tells A's late record from B's, and puts B's back.
import assert from 'node:assert/strict';
import pg from 'pg';
import { SEEDED_USERS, startEmulator } from '../../emulator';
import { eventually } from '../support/eventually';
import { request, type Emulator } from '../support/keepsake-stack';
import { freshPostgres } from '../support/postgres-database';
import { startKeepsakeProcess, type KeepsakeProcess } from '../support/keepsake-process';
import type { PreferencesSummary } from '../../lib/preferences/preferences-summary';

const alice = SEEDED_USERS.alice.accountId;
const admin = SEEDED_USERS.admin.accountId;

/** How long the network holds A's PUT: B's whole write must fit inside it, on a loaded machine too. */
const HELD_PUT_MS = 6000;
describe('write fencing: a writer that lost its lock never replaces an acknowledged write (Postgres)', function () {
  this.timeout(120_000);
  let emulator: Emulator;
  let a: KeepsakeProcess;
  let b: KeepsakeProcess;
  let db: pg.Client;

  before(async function () {
    const databaseUrl = await freshPostgres(this);
    emulator = await startEmulator({ port: 0 });
    // Every read goes to Confluence, so a record that is not the acknowledged one is met at once.
    const env = {
      DATABASE_URL: databaseUrl,
      CONNECT_KEYS_CDN_URL: emulator.keysUrl,
      KEEPSAKE_OAUTH_SERVER_URL: emulator.oauthServerUrl,
      KEEPSAKE_CACHE_TTL_SECONDS: '0',
      KEEPSAKE_CONFLUENCE_TIMEOUT_MS: '20000',
    };
    [a, b] = await Promise.all([startKeepsakeProcess(env), startKeepsakeProcess(env)]);
    const installed = await request(`${emulator.baseUrl}/_emulator/apps`, 'POST', { descriptorUrl: `${a.url}/atlassian-connect.json` });
    assert.equal(installed.status, 201, JSON.stringify(installed.body));
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
  });
  after(async () => {
    await db?.end();
    await Promise.all([a?.stop(), b?.stop()]);
    await emulator?.close();
  });

  const call = async <T>(instance: KeepsakeProcess, accountId: string, method: string, path: string, body?: unknown) => {
    const minted = await request<{ token: string }>(`${emulator.baseUrl}/_emulator/context-token`, 'POST', {
      appKey: 'keepsake',
      accountId,
    });
    return request<T>(`${instance.url}${path}`, method, body, { Authorization: `JWT ${minted.body.token}` });
  };

  /** Alice's main record as Confluence holds it (ciphertext: compared, never read). */
  const storedMain = async () =>
    JSON.stringify(
      (
        await request<{ json: unknown }>(`${emulator.baseUrl}/_emulator/ap-request`, 'POST', {
          appKey: 'keepsake',
          accountId: alice,
          method: 'GET',
          path: `/rest/api/user/${encodeURIComponent(alice)}/property/keepsake-main`,
        })
      ).body.json,
    );

  for (const round of [1, 2, 3]) {
    it(`keeps B's acknowledged view mode after A's late write lands (round ${round})`, async () => {
      const [seed, late, acknowledged] = round % 2 ? ['compact', 'focus', 'comfortable'] : ['comfortable', 'compact', 'focus'];
      assert.equal((await call<PreferencesSummary>(a, alice, 'PATCH', '/api/preferences', { viewMode: seed })).status, 200);

      // A's next PUT is held by the network for a while.
      await request(`${emulator.baseUrl}/_emulator/faults`, 'POST', { slowNext: { method: 'PUT', latencyMs: HELD_PUT_MS } });
      const aWrite = call<PreferencesSummary>(a, alice, 'PATCH', '/api/preferences', { viewMode: late });
      await eventually(
        'A’s PUT is in flight',
        async () => (await request<{ slowNext: unknown }>(`${emulator.baseUrl}/_emulator/faults`, 'GET')).body.slowNext === null,
      );

      // A's database session dies: its advisory lock (alice's lock) goes with it.
      const killed = await db.query(
        "SELECT pg_terminate_backend(pid) AS killed FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid() " +
          'AND database = (SELECT oid FROM pg_database WHERE datname = current_database())',
      );
      assert.equal(killed.rowCount, 1, 'exactly one session held an advisory lock: A’s');

      // B takes the lock, writes and is acknowledged while A's PUT is still on its way.
      const bWrite = await call<PreferencesSummary>(b, alice, 'PATCH', '/api/preferences', { viewMode: acknowledged });
      assert.equal(bWrite.status, 200, JSON.stringify(bWrite.body));
      assert.equal(bWrite.body.viewMode, acknowledged);

      // A's PUT lands after B's answer; A itself must not answer 2xx.
      const aAnswer = await aWrite;
      assert.ok(aAnswer.status >= 500, `A lost its lock and answered ${aAnswer.status}: ${JSON.stringify(aAnswer.body)}`);

      for (const instance of [a, b, a]) {
        const view = await call<PreferencesSummary>(instance, alice, 'GET', '/api/preferences');
        assert.equal(view.status, 200);
        assert.equal(view.body.viewMode, acknowledged, 'the acknowledged write stands');
        assert.equal(view.body.tampered, false, 'a late write of Keepsake’s own is no tampering');
      }
    });
  }

  it('counts each record written back in the site’s figures', async () => {
    let restored = 0;
    await eventually('the figures show the restores', async () => {
      restored = (await call<{ integrity: { restoredRecords: number } }>(b, admin, 'GET', '/api/admin/stats')).body.integrity
        .restoredRecords;
      return restored >= 3;
    });
    assert.equal(restored, 3, 'one restore per late write');
  });

  it('keeps B’s acknowledged write when A is killed (SIGKILL) with its PUT in flight', async () => {
    assert.equal((await call<PreferencesSummary>(a, alice, 'PATCH', '/api/preferences', { viewMode: 'compact' })).status, 200);
    await request(`${emulator.baseUrl}/_emulator/faults`, 'POST', { slowNext: { method: 'PUT', latencyMs: HELD_PUT_MS } });
    const aWrite = call<PreferencesSummary>(a, alice, 'PATCH', '/api/preferences', { viewMode: 'focus' }).catch((error: unknown) => error);
    await eventually(
      'A’s PUT is in flight',
      async () => (await request<{ slowNext: unknown }>(`${emulator.baseUrl}/_emulator/faults`, 'GET')).body.slowNext === null,
    );
    await a.kill();
    assert.ok((await aWrite) instanceof Error, 'A never answered');

    const bWrite = await call<PreferencesSummary>(b, alice, 'PATCH', '/api/preferences', { viewMode: 'comfortable' });
    assert.equal(bWrite.status, 200, JSON.stringify(bWrite.body));
    // The emulator serves A's held PUT although A is gone (the request had fully arrived):
    // alice's record changes once more after B's answer.
    const acknowledged = await storedMain();
    await eventually('A’s late PUT has landed', async () => (await storedMain()) !== acknowledged, { tries: 400 });
    const view = await call<PreferencesSummary>(b, alice, 'GET', '/api/preferences');
    assert.equal(view.body.viewMode, 'comfortable');
    assert.notEqual(await storedMain(), acknowledged, 'written back anew, not left as A’s');
  });
});
