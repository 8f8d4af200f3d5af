// Backend detection is decided once per site, under a lock, from a definite signal (issue 8):
// a burst of first requests on a fresh install must not read a lost probe race (POST 409, then
// DELETE 404) as "user properties do not work" and switch the site to app properties.
import assert from 'node:assert/strict';
import { SEEDED_USERS, startEmulator } from '../../emulator';
import { request, startStack, storeKinds, type Emulator } from '../support/keepsake-stack';
import { freshPostgres } from '../support/postgres-database';
import { startKeepsakeProcess, type KeepsakeProcess } from '../support/keepsake-process';
import type { PreferencesSummary } from '../../lib/preferences/preferences-summary';

const { alice, admin } = SEEDED_USERS;
const BURST = 40;

interface AdminSettings {
  storage: { detectedBackend: string | null; activeBackend: string | null };
}

/** Half reads, half writes, all alice's first requests on the site. */
function burst(call: (i: number, method: string, path: string, body?: unknown) => Promise<{ status: number; body: unknown }>) {
  return Promise.all(
    Array.from({ length: BURST }, (_, i) =>
      i % 2 ? call(i, 'GET', '/api/preferences') : call(i, 'PATCH', '/api/preferences', { viewMode: i % 4 ? 'compact' : 'focus' }),
    ),
  );
}

function assertStayedOnUserProperties(replies: { status: number; body: unknown }[], settings: AdminSettings): void {
  for (const reply of replies) {
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal((reply.body as PreferencesSummary).backend, 'user-properties');
  }
  assert.equal(settings.storage.detectedBackend, 'user-properties');
  assert.equal(settings.storage.activeBackend, 'user-properties');
}

for (const store of storeKinds()) {
  describe(`backend detection under a burst of first requests (${store})`, function () {
    this.timeout(60_000);
    for (const round of [1, 2, 3, 4]) {
      it(`keeps a site with user properties on them: ${BURST} concurrent first requests, one instance (round ${round})`, async () => {
        const stack = await startStack({ store });
        try {
          const replies = await burst((_i, method, path, body) => stack.api(alice.accountId, method, path, body));
          const settings = await stack.api<AdminSettings>(admin.accountId, 'GET', '/api/admin/settings');
          assertStayedOnUserProperties(replies, settings.body);
          const probes = await stack.apRequest<{ results: { key: string }[] }>(
            alice.accountId,
            'GET',
            `/rest/api/user/${encodeURIComponent(alice.accountId)}/property?limit=25`,
          );
          assert.deepEqual(
            probes.json.results.map((r) => r.key).filter((k) => k.startsWith('keepsake-probe')),
            [],
            'no probe left behind',
          );
        } finally {
          await stack.close();
        }
      });
    }

    it('still falls back to app properties where Confluence refuses user properties (404)', async () => {
      const stack = await startStack({ store });
      try {
        await stack.control('POST', '/faults', { userPropertiesOff: true });
        const replies = await burst((_i, method, path, body) => stack.api(alice.accountId, method, path, body));
        for (const reply of replies) assert.equal((reply.body as PreferencesSummary).backend, 'app-properties', JSON.stringify(reply.body));
        const settings = await stack.api<AdminSettings>(admin.accountId, 'GET', '/api/admin/settings');
        assert.equal(settings.body.storage.detectedBackend, 'app-properties');
      } finally {
        await stack.close();
      }
    });

    it('decides nothing from a failure that is not a refusal: a 503 leaves the question open', async () => {
      const stack = await startStack({ store, settings: { KEEPSAKE_CONFLUENCE_ATTEMPTS: 1 } });
      try {
        await stack.control('POST', '/faults', { status: 503, count: 1 });
        const failed = await stack.api(alice.accountId, 'GET', '/api/preferences');
        assert.equal(failed.status, 503, JSON.stringify(failed.body));
        const undecided = await stack.api<AdminSettings>(admin.accountId, 'GET', '/api/admin/settings');
        assert.equal(undecided.body.storage.detectedBackend, null);
        const next = await stack.api<PreferencesSummary>(alice.accountId, 'GET', '/api/preferences');
        assert.equal(next.body.backend, 'user-properties');
      } finally {
        await stack.close();
      }
    });
  });
}

describe('backend detection across two instances on one Postgres', function () {
  this.timeout(120_000);
  let emulator: Emulator;
  let instances: KeepsakeProcess[] = [];
  let databaseUrl: string;

  // Each round on an empty database: the site's detection starts from nothing.
  beforeEach(async function () {
    databaseUrl = await freshPostgres(this);
  });
  afterEach(async () => {
    await Promise.all(instances.map((i) => i.stop()));
    instances = [];
    await emulator?.close();
  });

  for (const round of [1, 2]) {
    it(`keeps the site on user properties: ${BURST} first requests split over two instances (round ${round})`, async () => {
      emulator = await startEmulator({ port: 0 });
      const env = {
        DATABASE_URL: databaseUrl,
        CONNECT_KEYS_CDN_URL: emulator.keysUrl,
        KEEPSAKE_OAUTH_SERVER_URL: emulator.oauthServerUrl,
      };
      instances = await Promise.all([startKeepsakeProcess(env), startKeepsakeProcess(env)]);
      const installed = await request(`${emulator.baseUrl}/_emulator/apps`, 'POST', {
        descriptorUrl: `${instances[0].url}/atlassian-connect.json`,
      });
      assert.equal(installed.status, 201, JSON.stringify(installed.body));
      const token = async (accountId: string) =>
        (await request<{ token: string }>(`${emulator.baseUrl}/_emulator/context-token`, 'POST', { appKey: 'keepsake', accountId })).body
          .token;
      const alicesToken = await token(alice.accountId);
      const replies = await burst((i, method, path, body) =>
        request(`${instances[i % 2].url}${path}`, method, body, { Authorization: `JWT ${alicesToken}` }),
      );
      const settings = await request<AdminSettings>(`${instances[1].url}/api/admin/settings`, 'GET', undefined, {
        Authorization: `JWT ${await token(admin.accountId)}`,
      });
      assertStayedOnUserProperties(replies, settings.body);
    });
  }
});
