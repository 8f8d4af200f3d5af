// Conformance: the platform side of personal data reporting, seen through ACE's httpClient —
// POST /rest/atlassian-connect/latest/report-accounts (JWT as the app, at most 90 accounts,
// 200 closed/updated, 204, Cycle-Period, 429 through the fault injection), and the control
// endpoints that close an account or change its profile, with what the user REST API then answers.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SEEDED_USERS } from '../../emulator';
import { qshOf, rawRequest, signAppJwt } from '../support/ace-test-app';
import { type InstalledTestApp, type Site, assertError, assertStatus, startSite, userPropertyPath } from './harness';

const REPORT_PATH = '/rest/atlassian-connect/latest/report-accounts';
const LONG_AGO = '2000-01-01T00:00:00.000Z';

interface ControlAccount {
  accountId: string;
  displayName: string;
  siteAdmin: boolean;
  profileUpdatedAt?: string;
  closedAt?: string;
}

interface ReportAnswer {
  accounts: { accountId: string; status: string }[];
}

interface LogEntry {
  method: string;
  path: string;
  authKind: string;
  appKey: string | null;
  status: number;
}

function report(app: InstalledTestApp, accounts: { accountId: string; updatedAt: string }[]) {
  return app.call<ReportAnswer>('post', REPORT_PATH, { json: { accounts } });
}

describe('emulator conformance: personal data reporting', function () {
  let site: Site;
  let app: InstalledTestApp;
  let seq = 0;

  /** A fresh user per test, so closures and renames do not leak between tests. */
  async function newUser(): Promise<string> {
    seq += 1;
    const created = await site.control.ok(site.control.post<ControlAccount>('users', { displayName: `Person ${seq}` }), 'POST users');
    return created.accountId;
  }

  function close(accountId: string) {
    return site.control.post<ControlAccount>(`users/${encodeURIComponent(accountId)}/close`);
  }

  function rename(accountId: string, displayName: string) {
    return rawRequest<ControlAccount>(`${site.emu.baseUrl}/_emulator/users/${encodeURIComponent(accountId)}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ displayName }),
    });
  }

  before(async function () {
    site = await startSite();
    app = await site.installApp();
  });

  afterEach(async function () {
    await site.control.ok(site.control.del('faults'), 'DELETE faults');
    await site.control.ok(site.control.put('settings', { reportAccountsCyclePeriod: '7 Days' }), 'PUT settings');
  });

  after(async function () {
    await site?.close();
  });

  describe('POST /rest/atlassian-connect/latest/report-accounts', function () {
    it('401 without a JWT, with a user token (Bearer as a user), and with a JWT whose qsh is for another request', async function () {
      const body = JSON.stringify({ accounts: [{ accountId: SEEDED_USERS.alice.accountId, updatedAt: LONG_AGO }] });
      const url = `${site.emu.siteUrl}${REPORT_PATH}`;
      assertError(await rawRequest(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body }), 401, /authentication/i);

      const asUser = await app.call('post', REPORT_PATH, { json: JSON.parse(body) as unknown, as: SEEDED_USERS.alice.accountId });
      assertError(asUser, 401, /as the app/);

      const wrongQsh = signAppJwt({
        iss: app.key,
        secret: app.installInfo.sharedSecret,
        method: 'POST',
        path: REPORT_PATH,
        qsh: qshOf('GET', REPORT_PATH),
      });
      const res = await rawRequest(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `JWT ${wrongQsh}` },
        body,
      });
      assertError(res, 401, /qsh/);

      const rightQsh = signAppJwt({ iss: app.key, secret: app.installInfo.sharedSecret, method: 'POST', path: REPORT_PATH });
      assertStatus(
        await rawRequest(url, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `JWT ${rightQsh}` }, body }),
        204,
      );
    });

    it('400 for more than 90 accounts; exactly 90 is accepted', async function () {
      const accounts = Array.from({ length: 91 }, (_, i) => ({
        accountId: `712020:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        updatedAt: LONG_AGO,
      }));
      assertError(await report(app, accounts), 400, /91 accounts.*at most 90/);
      assertStatus(await report(app, accounts.slice(0, 90)), 204);
    });

    it('400 for a malformed body: not JSON, no accounts array, an entry without accountId, an updatedAt that is not a date-time', async function () {
      assertError(await app.call('post', REPORT_PATH, { raw: '{"accounts": [' }), 400, /not valid JSON/);
      assertError(await app.call('post', REPORT_PATH, { json: { users: [] } }), 400, /accounts/);
      assertError(await app.call('post', REPORT_PATH, { json: { accounts: [{ updatedAt: LONG_AGO }] } }), 400, /accounts\[0\]\.accountId/);
      const alice = SEEDED_USERS.alice.accountId;
      assertError(await report(app, [{ accountId: alice, updatedAt: 'yesterday' }]), 400, /accounts\[0\]\.updatedAt/);
    });

    it('204 with Cycle-Period when nothing is to be done (active, unchanged and unknown accounts)', async function () {
      const res = await report(app, [
        { accountId: SEEDED_USERS.alice.accountId, updatedAt: LONG_AGO },
        { accountId: SEEDED_USERS.bob.accountId, updatedAt: new Date().toISOString() },
        { accountId: '712020:ffffffff-0000-4000-8000-00000000ffff', updatedAt: LONG_AGO },
      ]);
      assertStatus(res, 204);
      assert.equal(res.text, '');
      assert.equal(res.headers['cycle-period'], '7 Days');
    });

    it('200 lists only closed accounts and accounts whose profile changed after the updatedAt sent', async function () {
      const closed = await newUser();
      const renamed = await newUser();
      const untouched = await newUser();
      await site.control.ok(close(closed), 'close');
      const changed = await site.control.ok(rename(renamed, 'Renamed Person'), 'rename');
      assert.ok(changed.profileUpdatedAt, 'the change time is recorded');

      const res = await report(app, [
        { accountId: closed, updatedAt: new Date(Date.now() + 86_400_000).toISOString() },
        { accountId: renamed, updatedAt: LONG_AGO },
        { accountId: untouched, updatedAt: LONG_AGO },
      ]);
      assertStatus(res, 200);
      assert.equal(res.headers['cycle-period'], '7 Days');
      assert.deepEqual(res.body, {
        accounts: [
          { accountId: closed, status: 'closed' },
          { accountId: renamed, status: 'updated' },
        ],
      });

      // Refreshed since the change: nothing to do for that account any more.
      assertStatus(await report(app, [{ accountId: renamed, updatedAt: changed.profileUpdatedAt ?? '' }]), 204);
    });

    it('a closed account stays closed whatever it was before (renamed, then closed)', async function () {
      const accountId = await newUser();
      await site.control.ok(rename(accountId, 'Before Closing'), 'rename');
      await site.control.ok(close(accountId), 'close');
      const res = await report(app, [{ accountId, updatedAt: LONG_AGO }]);
      assertStatus(res, 200);
      assert.deepEqual(res.body, { accounts: [{ accountId, status: 'closed' }] });
    });

    it('Cycle-Period is the setting reportAccountsCyclePeriod; null leaves the header out', async function () {
      const accountId = await newUser();
      await site.control.ok(close(accountId), 'close');
      await site.control.ok(site.control.put('settings', { reportAccountsCyclePeriod: '20 Days' }), 'PUT settings');
      const res = await report(app, [{ accountId, updatedAt: LONG_AGO }]);
      assertStatus(res, 200);
      assert.equal(res.headers['cycle-period'], '20 Days');

      await site.control.ok(site.control.put('settings', { reportAccountsCyclePeriod: null }), 'PUT settings');
      const without = await report(app, [{ accountId: SEEDED_USERS.alice.accountId, updatedAt: LONG_AGO }]);
      assertStatus(without, 204);
      assert.equal(without.headers['cycle-period'], undefined);

      assertStatus(await site.control.put('settings', { reportAccountsCyclePeriod: 'two\nlines' }), 400);
    });

    it('429 with Retry-After through the fault injection, then the answer; both calls are in the request log', async function () {
      const accountId = await newUser();
      await site.control.ok(close(accountId), 'close');
      await site.control.ok(site.control.del('requests'), 'DELETE requests');
      await site.control.ok(site.control.post('faults', { status: 429, retryAfter: 3, count: 1 }), 'POST faults');

      const limited = await report(app, [{ accountId, updatedAt: LONG_AGO }]);
      assertError(limited, 429);
      assert.equal(limited.headers['retry-after'], '3');

      const res = await report(app, [{ accountId, updatedAt: LONG_AGO }]);
      assertStatus(res, 200);
      assert.deepEqual(res.body, { accounts: [{ accountId, status: 'closed' }] });

      const log = await site.control.ok(
        site.control.get<LogEntry[]>(`requests?pathPrefix=${encodeURIComponent(`/wiki${REPORT_PATH}`)}`),
        'GET requests',
      );
      assert.deepEqual(
        log.map((e) => [e.method, e.path, e.authKind, e.appKey, e.status]),
        [
          ['POST', `/wiki${REPORT_PATH}`, 'jwt', app.key, 429],
          ['POST', `/wiki${REPORT_PATH}`, 'jwt', app.key, 200],
        ],
      );
    });
  });

  describe('closing an account and changing a profile (control API)', function () {
    it("a closed account: the user REST API answers 'Former user' under the same id, no operations, no groups", async function () {
      const accountId = await newUser();
      const closed = await site.control.ok(close(accountId), 'close');
      assert.equal(closed.displayName, 'Former user');
      assert.ok(closed.closedAt, 'closedAt is recorded');

      const user = await app.call<Record<string, unknown>>(
        'get',
        `/rest/api/user?accountId=${encodeURIComponent(accountId)}&expand=operations`,
      );
      assertStatus(user, 200);
      assert.equal(user.body.accountId, accountId);
      assert.equal(user.body.displayName, 'Former user');
      assert.equal(user.body.publicName, 'Former user');
      assert.equal(user.body.email, '');
      assert.deepEqual(user.body.operations, []);

      const bulk = await app.call<{ results: { accountId: string; displayName: string }[] }>(
        'get',
        `/rest/api/user/bulk?accountId=${encodeURIComponent(accountId)}`,
      );
      assertStatus(bulk, 200);
      assert.deepEqual(
        bulk.body.results.map((u) => [u.accountId, u.displayName]),
        [[accountId, 'Former user']],
      );

      const groups = await app.call<{ results: unknown[] }>('get', `/rest/api/user/memberof?accountId=${encodeURIComponent(accountId)}`);
      assertStatus(groups, 200);
      assert.deepEqual(groups.body.results, []);
    });

    it("the app's user properties of a closed account are still there for it to erase", async function () {
      const accountId = await newUser();
      assertStatus(await app.call('post', userPropertyPath(accountId, 'kept'), { json: { value: { a: 1 } } }), 201);
      await site.control.ok(close(accountId), 'close');
      assertStatus(await app.call('get', userPropertyPath(accountId, 'kept')), 200);
      assertStatus(await app.call('del', userPropertyPath(accountId, 'kept')), 204);
    });

    it('closing twice keeps the first closure; 404 for an unknown account', async function () {
      const accountId = await newUser();
      const first = await site.control.ok(close(accountId), 'close');
      const second = await site.control.ok(close(accountId), 'close again');
      assert.equal(second.closedAt, first.closedAt);
      assertError(await close('712020:ffffffff-0000-4000-8000-00000000ffff'), 404);
    });

    it('PATCH changes the display name the REST API answers; 400 for a bad body, 404 unknown, 409 closed', async function () {
      const accountId = await newUser();
      const changed = await site.control.ok(rename(accountId, 'New Name'), 'rename');
      assert.equal(changed.displayName, 'New Name');
      const user = await app.call<Record<string, unknown>>('get', `/rest/api/user?accountId=${encodeURIComponent(accountId)}`);
      assert.equal(user.body.displayName, 'New Name');

      assertError(await rename(accountId, ''), 400, /displayName/);
      assertError(await rename('712020:ffffffff-0000-4000-8000-00000000ffff', 'Nobody'), 404);
      await site.control.ok(close(accountId), 'close');
      assertError(await rename(accountId, 'Too Late'), 409, /closed/);
    });
  });
});

describe('emulator conformance: personal data reporting with a state file', function () {
  it('closures and profile changes survive a restart', async function () {
    const dir = mkdtempSync(join(tmpdir(), 'emulator-personal-data-'));
    const stateFile = join(dir, 'state.json');
    let first: Site | undefined;
    let second: Site | undefined;
    try {
      first = await startSite({ stateFile });
      const closed = SEEDED_USERS.carol.accountId;
      const renamed = SEEDED_USERS.bob.accountId;
      await first.control.ok(first.control.post(`users/${encodeURIComponent(closed)}/close`), 'close');
      const changed = await rawRequest<ControlAccount>(`${first.emu.baseUrl}/_emulator/users/${encodeURIComponent(renamed)}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ displayName: 'Bob Renamed' }),
      });
      assertStatus(changed, 200);
      await first.close();
      first = undefined;

      second = await startSite({ stateFile });
      const app = await second.installApp();
      const res = await report(app, [
        { accountId: closed, updatedAt: LONG_AGO },
        { accountId: renamed, updatedAt: LONG_AGO },
        { accountId: SEEDED_USERS.alice.accountId, updatedAt: LONG_AGO },
      ]);
      assertStatus(res, 200);
      assert.deepEqual(res.body, {
        accounts: [
          { accountId: closed, status: 'closed' },
          { accountId: renamed, status: 'updated' },
        ],
      });
      const users = await second.control.ok(second.control.get<ControlAccount[]>('users'), 'GET users');
      assert.equal(users.find((u) => u.accountId === closed)?.displayName, 'Former user');
      assert.equal(users.find((u) => u.accountId === renamed)?.profileUpdatedAt, changed.body.profileUpdatedAt);
    } finally {
      await first?.close();
      await second?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
