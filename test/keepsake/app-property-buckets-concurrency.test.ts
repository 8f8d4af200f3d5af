// Users who share one app-property bucket, writing at once through two Keepsake processes on
// one Postgres (issue 11): a bucket write is read-modify-write of every member's records, so
// without the bucket's lock across instances one write would drop another's. None may be lost.
import assert from 'node:assert/strict';
import { SEEDED_USERS } from '../../emulator';
import { newAccountId } from '../../emulator/accounts';
import { bucketOf } from '../../lib/storage/app-property-buckets';
import { AppPropertyEntryEnvelope } from '../../lib/storage/app-property-entry-envelope';
import { request, type Emulator, type Reply } from '../support/keepsake-stack';
import { freshPostgres } from '../support/postgres-database';
import type { KeepsakeProcess } from '../support/keepsake-process';
import { startBucketSite, type BucketSite } from '../support/bucket-site';
import { openedBucket } from '../support/stored-records';
import type { MainRecord } from '../../lib/storage/record-schemas';
import type { PreferencesSummary } from '../../lib/preferences/preferences-summary';

const USERS = 20;
const VIEW_MODES = ['comfortable', 'compact', 'focus'] as const;

describe('app-property buckets: users sharing a bucket write at once through two processes (Postgres)', function () {
  this.timeout(120_000);
  let emulator: Emulator;
  let a: KeepsakeProcess;
  let b: KeepsakeProcess;
  let siteKey: Buffer;
  let site: BucketSite;
  let bucket: number;
  const users: string[] = [];
  const tokens = new Map<string, string>();

  const control = <T>(method: string, path: string, body?: unknown) => request<T>(`${emulator.baseUrl}/_emulator${path}`, method, body);
  /** Calls Keepsake as the user; a 429 (a full write queue) is tried again when told to, as a client does. */
  const call = async <T>(instance: KeepsakeProcess, accountId: string, method: string, path: string, body?: unknown): Promise<Reply<T>> => {
    if (!tokens.has(accountId))
      tokens.set(accountId, (await control<{ token: string }>('POST', '/context-token', { appKey: 'keepsake', accountId })).body.token);
    const reply = await request<T>(`${instance.url}${path}`, method, body, { Authorization: `JWT ${tokens.get(accountId)}` });
    if (reply.status !== 429) return reply;
    await new Promise((resolve) => setTimeout(resolve, Number(reply.headers.get('retry-after')) * 1000));
    return call(instance, accountId, method, path, body);
  };

  before(async function () {
    const databaseUrl = await freshPostgres(this);
    site = await startBucketSite(databaseUrl);
    ({ emulator, a, b, siteKey } = site);
    // Users placed as the backend places them (the keyed hash with the site's key) until USERS share one bucket.
    bucket = bucketOf(siteKey, newAccountId());
    while (users.length < USERS) {
      const accountId = newAccountId();
      if (bucketOf(siteKey, accountId) === bucket) users.push(accountId);
    }
    for (const [i, accountId] of users.entries()) {
      assert.equal((await control('POST', '/users', { accountId, displayName: `Bucket mate ${i}` })).status, 201);
    }
  });
  after(async () => {
    await site?.close();
  });

  it(`loses none of ${USERS * 2} writes of ${USERS} users of one bucket, made at once through both processes`, async () => {
    const replies = await Promise.all(
      users.flatMap((accountId, i) => [
        call<PreferencesSummary>(i % 2 ? a : b, accountId, 'PATCH', '/api/preferences', { viewMode: VIEW_MODES[i % 3] }),
        call<PreferencesSummary>(i % 2 ? b : a, accountId, 'PUT', '/api/profile', { note: `note of bucket mate ${i}` }),
      ]),
    );
    for (const reply of replies) {
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.equal(reply.body.backend, 'app-properties');
    }

    for (const instance of [a, b]) {
      for (const [i, accountId] of users.entries()) {
        const view = await call<PreferencesSummary>(instance, accountId, 'GET', '/api/preferences');
        assert.equal(view.status, 200, JSON.stringify(view.body));
        assert.equal(view.body.viewMode, VIEW_MODES[i % 3], `view mode of user ${i}`);
        assert.equal(view.body.profile.note, `note of bucket mate ${i}`, `note of user ${i}`);
      }
    }

    // What Confluence holds: the one bucket, every user in it with both changes.
    const content = await openedBucket(
      async (path) =>
        (
          await control<{ status: number; json: unknown }>('POST', '/ap-request', {
            appKey: 'keepsake',
            accountId: SEEDED_USERS.admin.accountId,
            method: 'GET',
            path,
          })
        ).body,
      siteKey,
      bucket,
    );
    const envelope = new AppPropertyEntryEnvelope(siteKey, 32_768);
    assert.deepEqual(Object.keys(content.members).sort(), [...users].sort());
    for (const [i, accountId] of users.entries()) {
      const main = envelope.open(accountId, 'main', content.members[accountId].main)?.content as unknown as MainRecord | undefined;
      assert.equal(main?.viewMode, VIEW_MODES[i % 3], `user ${i} in Confluence`);
      assert.equal(main?.profile?.note, `note of bucket mate ${i}`, `user ${i} in Confluence`);
    }
  });
});
