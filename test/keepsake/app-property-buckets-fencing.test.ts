// No acknowledged write of one bucket member is lost to a late bucket write of another's
// (issue 11): instance A writes user X's change into X's bucket and its PUT to Confluence is
// slow; A's database sessions are killed, so the bucket's advisory lock goes; instance B takes
// it, writes user Y (same bucket) and answers 200; then A's PUT lands — the whole bucket as A
// saw it, without Y's change. The acknowledged copy in the database (generation, writer) tells
// A's late pages from B's, and readers put B's back.
import assert from 'node:assert/strict';
import pg from 'pg';
import { SEEDED_USERS } from '../../emulator';
import { newAccountId } from '../../emulator/accounts';
import { bucketOf } from '../../lib/storage/app-property-buckets';
import { eventually } from '../support/eventually';
import { request, type Emulator, type Reply } from '../support/keepsake-stack';
import { freshPostgres } from '../support/postgres-database';
import type { KeepsakeProcess } from '../support/keepsake-process';
import { startBucketSite, type BucketSite } from '../support/bucket-site';
import type { PreferencesSummary } from '../../lib/preferences/preferences-summary';

const admin = SEEDED_USERS.admin.accountId;

/** How long the network holds A's PUT: B's whole write must fit inside it, on a loaded machine too. */
const HELD_PUT_MS = 6000;
describe('app-property buckets: a writer that lost the bucket lock never replaces a bucket mate’s acknowledged write (Postgres)', function () {
  this.timeout(120_000);
  let emulator: Emulator;
  let a: KeepsakeProcess;
  let b: KeepsakeProcess;
  let db: pg.Client;
  let site: BucketSite;
  /** Two users of one bucket. */
  let x: string;
  let y: string;

  const control = <T>(method: string, path: string, body?: unknown) => request<T>(`${emulator.baseUrl}/_emulator${path}`, method, body);
  const call = async <T>(instance: KeepsakeProcess, accountId: string, method: string, path: string, body?: unknown): Promise<Reply<T>> => {
    const minted = await control<{ token: string }>('POST', '/context-token', { appKey: 'keepsake', accountId });
    return request<T>(`${instance.url}${path}`, method, body, { Authorization: `JWT ${minted.body.token}` });
  };

  before(async function () {
    const databaseUrl = await freshPostgres(this);
    site = await startBucketSite(databaseUrl);
    ({ emulator, a, b } = site);
    const { siteKey } = site;
    x = newAccountId();
    do y = newAccountId();
    while (bucketOf(siteKey, y) !== bucketOf(siteKey, x));
    for (const accountId of [x, y]) assert.equal((await control('POST', '/users', { accountId, displayName: accountId })).status, 201);
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
  });
  after(async () => {
    await db?.end();
    await site?.close();
  });

  for (const round of [1, 2]) {
    it(`keeps B's acknowledged write of Y after A's late bucket write for X lands (round ${round})`, async () => {
      const [seed, late, acknowledged] = round % 2 ? ['compact', 'focus', 'comfortable'] : ['comfortable', 'compact', 'focus'];
      for (const accountId of [x, y]) {
        const seeded = await call<PreferencesSummary>(a, accountId, 'PATCH', '/api/preferences', { viewMode: seed });
        assert.equal(seeded.status, 200, JSON.stringify(seeded.body));
      }

      // A's next PUT (X's bucket, whole) is held by the network for a while.
      await control('POST', '/faults', { slowNext: { method: 'PUT', latencyMs: HELD_PUT_MS } });
      const aWrite = call<PreferencesSummary>(a, x, 'PATCH', '/api/preferences', { viewMode: late });
      await eventually('A’s PUT is in flight', async () => (await control<{ slowNext: unknown }>('GET', '/faults')).body.slowNext === null);

      // A's database sessions die: the bucket's lock (and X's) go with them.
      const killed = await db.query(
        "SELECT DISTINCT pg_terminate_backend(pid) AS killed FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid() " +
          'AND database = (SELECT oid FROM pg_database WHERE datname = current_database())',
      );
      assert.ok((killed.rowCount ?? 0) >= 1, 'A held the bucket’s lock');

      // B takes the bucket's lock, writes Y and is acknowledged while A's PUT is still on its way.
      const bWrite = await call<PreferencesSummary>(b, y, 'PATCH', '/api/preferences', { viewMode: acknowledged });
      assert.equal(bWrite.status, 200, JSON.stringify(bWrite.body));

      // A's PUT lands after B's answer; A must not answer 2xx.
      const aAnswer = await aWrite;
      assert.ok(aAnswer.status >= 500, `A lost its lock and answered ${aAnswer.status}: ${JSON.stringify(aAnswer.body)}`);

      for (const instance of [a, b, a]) {
        const yView = await call<PreferencesSummary>(instance, y, 'GET', '/api/preferences');
        assert.equal(yView.status, 200, JSON.stringify(yView.body));
        assert.equal(yView.body.viewMode, acknowledged, 'Y’s acknowledged write stands');
        assert.equal(yView.body.tampered, false, 'a late write of Keepsake’s own is no tampering');
        const xView = await call<PreferencesSummary>(instance, x, 'GET', '/api/preferences');
        assert.equal(xView.body.viewMode, seed, 'X’s unacknowledged write is not kept');
      }
    });
  }

  it('counts each bucket put back in the site’s figures', async () => {
    let restored = 0;
    await eventually('the figures show the restores', async () => {
      restored = (await call<{ integrity: { restoredRecords: number } }>(b, admin, 'GET', '/api/admin/stats')).body.integrity
        .restoredRecords;
      return restored >= 2;
    });
    assert.equal(restored, 2, 'one restore per late write');
  });
});
