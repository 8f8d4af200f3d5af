// Conformance: injected faults (429 with Retry-After, 5xx, user properties switched off) and
// the request log, seen through ACE's httpClient.
import assert from 'node:assert/strict';
import { SEEDED_USERS } from '../../emulator';
import {
  type InstalledTestApp,
  type Site,
  appPropertyPath,
  assertError,
  assertStatus,
  startSite,
  userPropertyPath as up,
  withInstalledApp,
} from './harness';

const alice = SEEDED_USERS.alice.accountId;
const bob = SEEDED_USERS.bob.accountId;

interface LogEntry {
  method: string;
  path: string;
  query?: string;
  authKind: string;
  appKey: string | null;
  accountId: string | null;
  status: number;
}

describe('emulator conformance: faults', function () {
  let site: Site;
  let app: InstalledTestApp;

  before(async function () {
    site = await startSite();
    app = await site.installApp();
    assertStatus(await app.call('post', up(alice, 'fault-probe'), { json: { value: { ok: true } } }), 201);
  });

  afterEach(async function () {
    await site.control.ok(site.control.del('faults'), 'DELETE faults');
  });

  after(async function () {
    await site?.close();
  });

  it('429 with Retry-After for the next N calls, then normal answers', async function () {
    await site.control.ok(site.control.post('faults', { status: 429, retryAfter: 2, count: 3 }), 'POST faults');
    for (let i = 0; i < 3; i++) {
      const res = await app.call('get', up(alice, 'fault-probe'));
      assertError(res, 429);
      assert.equal(res.headers['retry-after'], '2', `call ${i + 1} has Retry-After: 2`);
    }
    assertStatus(await app.call('get', up(alice, 'fault-probe')), 200);
  });

  it('the 429 count is spent only by REST calls (not by the control API)', async function () {
    await site.control.ok(site.control.post('faults', { status: 429, retryAfter: 1, count: 1 }), 'POST faults');
    await site.control.ok(site.control.get('apps'), 'GET apps');
    await site.control.ok(site.control.get('settings'), 'GET settings');
    assertError(await app.call('get', up(alice, 'fault-probe')), 429);
    assertStatus(await app.call('get', up(alice, 'fault-probe')), 200);
  });

  it('a 429 applies to calls as a user too (Bearer)', async function () {
    await site.control.ok(site.control.post('faults', { status: 429, retryAfter: 5, count: 1 }), 'POST faults');
    const res = await app.call('get', up(alice, 'fault-probe'), { as: alice });
    assertError(res, 429);
    assert.equal(res.headers['retry-after'], '5');
  });

  it('DELETE /_emulator/faults clears a pending 429', async function () {
    await site.control.ok(site.control.post('faults', { status: 429, retryAfter: 2, count: 5 }), 'POST faults');
    assertError(await app.call('get', up(alice, 'fault-probe')), 429);
    await site.control.ok(site.control.del('faults'), 'DELETE faults');
    assertStatus(await app.call('get', up(alice, 'fault-probe')), 200);
  });

  it('a 5xx share of 1 answers every REST call with that status', async function () {
    await site.control.ok(site.control.post('faults', { errorRate: 1, errorStatus: 503 }), 'POST faults');
    assertError(await app.call('get', up(alice, 'fault-probe')), 503);
    assertError(await app.call('get', '/rest/api/content/65601'), 503);
  });

  it('user properties switched off → 404 on every user-property call; other endpoints unaffected', async function () {
    await site.control.ok(site.control.post('faults', { userPropertiesOff: true }), 'POST faults');
    assertError(await app.call('get', up(alice, 'fault-probe')), 404);
    assertError(await app.call('get', up(alice)), 404);
    assertError(await app.call('post', up(alice, 'while-off'), { json: { value: {} } }), 404);
    assertError(await app.call('put', up(alice, 'fault-probe'), { json: { value: {} } }), 404);
    assertError(await app.call('del', up(alice, 'fault-probe')), 404);
    assertStatus(await app.call('put', appPropertyPath(app.key, 'while-off'), { json: 1 }), 201);
    assertStatus(await app.call('get', '/rest/api/content/65601'), 200);
    await site.control.ok(site.control.del('faults'), 'DELETE faults');
    const back = await app.call<{ value: unknown }>('get', up(alice, 'fault-probe'));
    assertStatus(back, 200);
    assert.deepEqual(back.body.value, { ok: true }, 'data survived the outage');
  });

  it('a per-app rate limit answers X-RateLimit-* headers and, past the limit, 429 with Retry-After', async function () {
    await site.control.ok(site.control.post('faults', { rateLimitPerSecond: 1 }), 'POST faults');
    const first = await app.call('get', up(alice, 'fault-probe'));
    assert.equal(first.headers['x-ratelimit-limit'], '1');
    // Calls in a row: within any one-second window the second is over the limit.
    let limited;
    for (let i = 0; i < 50 && !limited; i++) {
      const res = await app.call('get', up(alice, 'fault-probe'));
      if (res.status === 429) limited = res;
      else assertStatus(res, 200);
    }
    assert.ok(limited, 'no 429 in 50 calls at a limit of 1 per second');
    assertError(limited, 429);
    assert.match(String(limited.headers['retry-after']), /^\d+$/);
    assert.ok(Number(limited.headers['retry-after']) >= 1);
  });

  it('an invalid fault is refused with 400', async function () {
    const res = await site.control.post('faults', { status: 'soon' });
    assert.equal(res.status, 400, res.text);
  });
});

describe('emulator conformance: request log', function () {
  let site: Site;
  let app: InstalledTestApp;

  withInstalledApp((started) => ({ site, app } = started));

  async function entries(): Promise<LogEntry[]> {
    return site.control.ok(site.control.get<LogEntry[]>('requests'), 'GET requests');
  }

  it('records method, path, auth kind, app key, acting user and status of each REST call', async function () {
    await site.control.ok(site.control.del('requests'), 'DELETE requests');
    assert.deepEqual(await entries(), [], 'empty after DELETE');

    assertStatus(await app.call('get', up(alice, 'log-missing')), 404);
    assertStatus(await app.call('post', up(alice, 'log-key'), { json: { value: {} } }), 201);
    assertStatus(await app.call('get', up(alice, 'log-key'), { as: alice }), 200);
    const ap = await site.control.ok(
      site.control.post<{ status: number }>('ap-request', { appKey: app.key, accountId: bob, method: 'GET', path: up(alice, 'log-key') }),
      'ap-request',
    );
    assert.equal(ap.status, 200, 'the as-user restriction is off by default');

    const log = (await entries()).filter((e) => e.path.includes('/property/'));
    const jwtCalls = log.filter((e) => e.authKind === 'jwt');
    assert.equal(jwtCalls.length, 2, JSON.stringify(log));
    assert.ok(jwtCalls.every((e) => e.appKey === app.key && e.accountId === null));
    assert.deepEqual(
      jwtCalls.map((e) => [e.method, e.status]),
      [
        ['GET', 404],
        ['POST', 201],
      ],
    );
    assert.ok(jwtCalls.every((e) => e.path.startsWith('/wiki/rest/api/user/')));

    const bearer = log.filter((e) => e.authKind === 'bearer');
    assert.equal(bearer.length, 1, JSON.stringify(log));
    assert.equal(bearer[0].accountId, alice);
    assert.equal(bearer[0].appKey, app.key);
    assert.equal(bearer[0].status, 200);

    const iframe = log.filter((e) => e.authKind === 'ap-request');
    assert.equal(iframe.length, 1, JSON.stringify(log));
    assert.equal(iframe[0].accountId, bob);
    assert.equal(iframe[0].appKey, app.key);
    assert.equal(iframe[0].status, 200);
  });

  it('records failed authentication as a 401 without an app', async function () {
    await site.control.ok(site.control.del('requests'), 'DELETE requests');
    const res = await fetch(`${site.emu.siteUrl}${up(alice, 'x')}`);
    assert.equal(res.status, 401);
    await res.text();
    const log = await entries();
    assert.equal(log.length, 1, JSON.stringify(log));
    assert.equal(log[0].status, 401);
    assert.equal(log[0].authKind, 'none');
  });

  it('POST /_emulator/reset empties the site: properties gone, apps uninstalled', async function () {
    assertStatus(await app.call('post', up(bob, 'before-reset'), { json: { value: {} } }), 201);
    await site.control.ok(site.control.put('settings', { asUserRestriction: true }), 'PUT settings');
    await site.control.ok(site.control.post('reset', {}), 'POST reset');
    const apps = await site.control.ok(site.control.get<Array<{ key: string; status: string }>>('apps'), 'GET apps');
    assert.ok(!apps.some((a) => a.key === app.key && a.status === 'installed'));
    assertError(await app.call('get', up(bob, 'before-reset')), 401);
    const settings = await site.control.ok(site.control.get<{ asUserRestriction: boolean }>('settings'), 'GET settings');
    assert.equal(settings.asUserRestriction, false);
  });
});
