// Conformance: app (add-on) properties (docs/platform-facts.md §2) through ACE's httpClient.
import assert from 'node:assert/strict';
import { SEEDED_USERS } from '../../emulator';
import { type InstalledTestApp, type Site, appPropertyPath as ap, assertError, assertStatus, startSite } from './harness';

interface AppProperty {
  key: string;
  value: unknown;
  self: unknown;
}

interface KeyList {
  keys: { key: string; self: unknown }[];
}

interface SetAnswer {
  message?: unknown;
  statusCode?: unknown;
}

interface ApResult {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

describe('emulator conformance: app properties', function () {
  let site: Site;
  let app: InstalledTestApp;
  let other: InstalledTestApp;

  before(async function () {
    site = await startSite();
    app = await site.installApp();
    other = await site.installApp({ scopes: ['READ'] });
  });

  after(async function () {
    await site?.close();
  });

  it('GET a missing property → 404', async function () {
    assertError(await app.call('get', ap(app.key, 'missing')), 404);
  });

  it('PUT creates (201) then updates (200), each with {message, statusCode}', async function () {
    const created = await app.call<SetAnswer>('put', ap(app.key, 'config'), { json: { mode: 'a' } });
    assertStatus(created, 201);
    assert.equal(created.body.statusCode, 201);
    assert.equal(typeof created.body.message, 'string');
    const updated = await app.call<SetAnswer>('put', ap(app.key, 'config'), { json: { mode: 'b' } });
    assertStatus(updated, 200);
    assert.equal(updated.body.statusCode, 200);
    assert.equal(typeof updated.body.message, 'string');
  });

  it('GET answers {key, value, self} with the raw JSON value', async function () {
    const res = await app.call<AppProperty>('get', ap(app.key, 'config'));
    assertStatus(res, 200);
    assert.equal(res.body.key, 'config');
    assert.deepEqual(res.body.value, { mode: 'b' });
    assert.equal(typeof res.body.self, 'string');
    assert.match(String(res.body.self), new RegExp(`/rest/atlassian-connect/1/addons/${app.key}/properties/config$`));
  });

  const values: Array<[string, unknown]> = [
    ['a string', 'hello'],
    ['a number', 42.5],
    ['an array', [1, 'two', { three: 3 }]],
    ['a boolean', false],
    ['an empty object', {}],
    ['a nested object', { a: { b: { c: [null, true] } } }],
  ];
  for (const [what, value] of values) {
    it(`stores ${what} as the value`, async function () {
      const key = `typed-${what.replace(/\W+/g, '-')}`;
      assertStatus(await app.call('put', ap(app.key, key), { raw: JSON.stringify(value) }), 201);
      const res = await app.call<AppProperty>('get', ap(app.key, key));
      assertStatus(res, 200);
      assert.deepEqual(res.body.value, value);
    });
  }

  it('lists keys as {keys: [{key, self}]}', async function () {
    const res = await app.call<KeyList>('get', ap(app.key));
    assertStatus(res, 200);
    assert.ok(Array.isArray(res.body.keys));
    const config = res.body.keys.find((k) => k.key === 'config');
    assert.ok(config, 'config listed');
    assert.equal(typeof config.self, 'string');
  });

  it('DELETE → 204, then GET → 404 and DELETE again → 404', async function () {
    assertStatus(await app.call('put', ap(app.key, 'gone'), { json: { x: 1 } }), 201);
    assertStatus(await app.call('del', ap(app.key, 'gone')), 204);
    assertError(await app.call('get', ap(app.key, 'gone')), 404);
    assertError(await app.call('del', ap(app.key, 'gone')), 404);
  });

  it("another app gets 404 (not 403) on this app's properties, for every operation", async function () {
    assertError(await other.call('get', ap(app.key, 'config')), 404);
    assertError(await other.call('get', ap(app.key)), 404);
    assertError(await other.call('put', ap(app.key, 'config'), { json: { hijacked: true } }), 404);
    assertError(await other.call('del', ap(app.key, 'config')), 404);
    assert.deepEqual((await app.call<AppProperty>('get', ap(app.key, 'config'))).body.value, { mode: 'b' }, 'unchanged');
  });

  it('each app has its own set (same key, separate values)', async function () {
    assertStatus(await other.call('put', ap(other.key, 'config'), { json: { mode: 'other' } }), 201);
    assert.deepEqual((await other.call<AppProperty>('get', ap(other.key, 'config'))).body.value, { mode: 'other' });
    assert.deepEqual((await app.call<AppProperty>('get', ap(app.key, 'config'))).body.value, { mode: 'b' });
  });

  it('app properties need no scope (a READ-only app can write its own)', async function () {
    assertStatus(await other.call('put', ap(other.key, 'ro-write'), { json: 1 }), 201);
    assertStatus(await other.call('del', ap(other.key, 'ro-write')), 204);
  });

  it('a key of 127 characters is fine, 128 → 400 (PUT and GET)', async function () {
    assertStatus(await app.call('put', ap(app.key, 'k'.repeat(127)), { json: 1 }), 201);
    assertError(await app.call('put', ap(app.key, 'k'.repeat(128)), { json: 1 }), 400, /key|127|long/i);
    assertError(await app.call('get', ap(app.key, 'k'.repeat(128))), 400, /key|127|long/i);
  });

  it('invalid JSON → 400', async function () {
    assertError(await app.call('put', ap(app.key, 'broken'), { raw: '{"a": ' }), 400);
    assertError(await app.call('get', ap(app.key, 'broken')), 404);
  });

  it('an empty body → 400', async function () {
    assertError(await app.call('put', ap(app.key, 'empty'), { raw: '' }), 400);
    assertError(await app.call('get', ap(app.key, 'empty')), 404);
  });

  it('a value of 32,768 characters is fine, one more → 400', async function () {
    const fits = JSON.stringify('x'.repeat(32_768 - 2));
    const over = JSON.stringify('x'.repeat(32_768 - 1));
    assert.equal(fits.length, 32_768);
    assertStatus(await app.call('put', ap(app.key, 'big'), { raw: fits }), 201);
    assertError(await app.call('put', ap(app.key, 'big-over'), { raw: over }), 400, /value|long|large|size|limit|32/i);
    assertError(await app.call('put', ap(app.key, 'big'), { raw: over }), 400);
    assert.equal(((await app.call<AppProperty>('get', ap(app.key, 'big'))).body.value as string).length, 32_768 - 2);
  });

  it('AP.request from any user of the app reads and writes app properties (checked against the app)', async function () {
    const get = await site.control.ok(
      site.control.post<ApResult>('ap-request', {
        appKey: app.key,
        accountId: SEEDED_USERS.bob.accountId,
        method: 'GET',
        path: ap(app.key, 'config'),
      }),
      'ap-request',
    );
    assert.equal(get.status, 200, JSON.stringify(get));
    const put = await site.control.ok(
      site.control.post<ApResult>('ap-request', {
        appKey: app.key,
        accountId: SEEDED_USERS.carol.accountId,
        method: 'PUT',
        path: ap(app.key, 'from-iframe'),
        body: { by: 'carol' },
      }),
      'ap-request',
    );
    assert.equal(put.status, 201, JSON.stringify(put));
    assert.deepEqual((await app.call<AppProperty>('get', ap(app.key, 'from-iframe'))).body.value, { by: 'carol' });
    const foreign = await site.control.ok(
      site.control.post<ApResult>('ap-request', {
        appKey: other.key,
        accountId: SEEDED_USERS.carol.accountId,
        method: 'GET',
        path: ap(app.key, 'config'),
      }),
      'ap-request',
    );
    assert.equal(foreign.status, 404, JSON.stringify(foreign));
  });

  it('as a user (asUserByAccountId), the app reads its own properties', async function () {
    const res = await app.call<AppProperty>('get', ap(app.key, 'config'), { as: SEEDED_USERS.alice.accountId });
    assertStatus(res, 200);
    assert.deepEqual(res.body.value, { mode: 'b' });
  });

  it('the number of properties per app is limited (appPropertyMaxPerApp)', async function () {
    const fresh = await site.installApp();
    await site.control.ok(site.control.put('settings', { appPropertyMaxPerApp: 2 }), 'PUT settings');
    try {
      assertStatus(await fresh.call('put', ap(fresh.key, 'one'), { json: 1 }), 201);
      assertStatus(await fresh.call('put', ap(fresh.key, 'two'), { json: 2 }), 201);
      const third = await fresh.call('put', ap(fresh.key, 'three'), { json: 3 });
      assert.ok(third.status >= 400 && third.status < 500, `over the limit: ${third.status} ${third.text}`);
      assertStatus(await fresh.call('put', ap(fresh.key, 'two'), { json: 22 }), 200);
    } finally {
      await site.control.ok(site.control.put('settings', { appPropertyMaxPerApp: 100 }), 'PUT settings');
    }
  });
});
