// Conformance: user properties (docs/platform-facts.md §1) through ACE's httpClient, as the app
// (JWT) and as a user (asUserByAccountId → Bearer), plus AP.request through the control API.
import assert from 'node:assert/strict';
import { SEEDED_USERS } from '../../emulator';
import { hostCall } from '../support/ace-test-app';
import {
  type InstalledTestApp,
  ISO_MS,
  type Site,
  assertError,
  assertStatus,
  startSite,
  userPropertyPath as up,
  withInstalledApp,
} from './harness';

const alice = SEEDED_USERS.alice.accountId;
const bob = SEEDED_USERS.bob.accountId;
const carol = SEEDED_USERS.carol.accountId;
const nobody = '712020:ffffffff-ffff-4fff-8fff-ffffffffffff';

interface UserProperty {
  key: string;
  value: unknown;
  id: unknown;
  lastModifiedDate: unknown;
  createdDate: unknown;
  _links: unknown;
}

interface PropertyList {
  results: { key: string }[];
  start: number;
  limit: number;
  size: number;
  _links: unknown;
}

interface ApResult {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

describe('emulator conformance: user properties (as the app)', function () {
  let site: Site;
  let app: InstalledTestApp;

  withInstalledApp((started) => ({ site, app } = started));

  it('GET a missing property → 404', async function () {
    assertError(await app.call('get', up(alice, 'missing')), 404);
  });

  it('POST creates (201), a second POST on the same key → 409', async function () {
    assertStatus(await app.call('post', up(alice, 'created'), { json: { value: { n: 1 } } }), 201);
    assertError(await app.call('post', up(alice, 'created'), { json: { value: { n: 2 } } }), 409);
    const got = await app.call<UserProperty>('get', up(alice, 'created'));
    assert.deepEqual(got.body.value, { n: 1 }, 'the 409 did not overwrite');
  });

  it('GET answers {key, value, id (string), lastModifiedDate, createdDate (ISO with ms), _links}', async function () {
    const value = { theme: 'dark', nested: { list: [1, 2, 3], flag: true }, text: 'héllo ✓' };
    assertStatus(await app.call('post', up(alice, 'shape'), { json: { value } }), 201);
    const res = await app.call<UserProperty>('get', up(alice, 'shape'));
    assertStatus(res, 200);
    assert.equal(res.body.key, 'shape');
    assert.deepEqual(res.body.value, value);
    assert.equal(typeof res.body.id, 'string');
    assert.match(String(res.body.id), /^\d+$/);
    assert.match(String(res.body.createdDate), ISO_MS);
    assert.match(String(res.body.lastModifiedDate), ISO_MS);
    assert.ok(res.body._links && typeof res.body._links === 'object', '_links object');
  });

  it('PUT updates an existing property (204); createdDate and id stay, lastModifiedDate moves forward or stays', async function () {
    assertStatus(await app.call('post', up(alice, 'updated'), { json: { value: { v: 1 } } }), 201);
    const before = (await app.call<UserProperty>('get', up(alice, 'updated'))).body;
    const put = await app.call('put', up(alice, 'updated'), { json: { value: { v: 2 } } });
    assertStatus(put, 204);
    assert.equal(put.text, '', '204 has no body');
    const after = (await app.call<UserProperty>('get', up(alice, 'updated'))).body;
    assert.deepEqual(after.value, { v: 2 });
    assert.equal(after.id, before.id);
    assert.equal(after.createdDate, before.createdDate);
    assert.ok(Date.parse(String(after.lastModifiedDate)) >= Date.parse(String(before.lastModifiedDate)));
  });

  it('PUT on a missing key → 404 and does not create it', async function () {
    assertError(await app.call('put', up(alice, 'never-created'), { json: { value: { v: 1 } } }), 404);
    assertError(await app.call('get', up(alice, 'never-created')), 404);
  });

  it('DELETE → 204, then GET → 404 and a second DELETE → 404', async function () {
    assertStatus(await app.call('post', up(alice, 'deleted'), { json: { value: { v: 1 } } }), 201);
    assertStatus(await app.call('del', up(alice, 'deleted')), 204);
    assertError(await app.call('get', up(alice, 'deleted')), 404);
    assertError(await app.call('del', up(alice, 'deleted')), 404);
  });

  it('no version field and no locking: last write wins', async function () {
    assertStatus(await app.call('post', up(alice, 'lww'), { json: { value: { v: 'a' } } }), 201);
    assertStatus(await app.call('put', up(alice, 'lww'), { json: { value: { v: 'b' } } }), 204);
    assertStatus(await app.call('put', up(alice, 'lww'), { json: { value: { v: 'c' } } }), 204);
    const res = await app.call<UserProperty & { version?: unknown }>('get', up(alice, 'lww'));
    assert.deepEqual(res.body.value, { v: 'c' });
    assert.equal(res.body.version, undefined);
  });

  describe('the body must be exactly {"value": {object}}', function () {
    const bad: Array<[string, string, RegExp]> = [
      ['value is an array', '{"value":[1,2]}', /object|array/i],
      ['value is a string', '{"value":"dark"}', /object|string/i],
      ['value is a number', '{"value":42}', /object|number/i],
      ['value is null', '{"value":null}', /object|null|value/i],
      ['value is a boolean', '{"value":true}', /object|boolean/i],
      ['an extra top-level field', '{"value":{"a":1},"version":{"number":1}}', /version/],
      ['missing value', '{}', /value/i],
      ['a bare object without value', '{"theme":"dark"}', /value|theme/i],
      ['the body is an array', '[{"value":{}}]', /object|array|value/i],
      ['invalid JSON', '{"value": {', /JSON|parse|body/i],
    ];
    for (const [what, raw, pattern] of bad) {
      it(`POST with ${what} → 400 naming the problem`, async function () {
        assertError(await app.call('post', up(bob, 'body-check'), { raw }), 400, pattern);
        assertError(await app.call('get', up(bob, 'body-check')), 404);
      });
    }

    it('PUT with a non-object value → 400 and the stored value is unchanged', async function () {
      assertStatus(await app.call('post', up(bob, 'put-body'), { json: { value: { ok: true } } }), 201);
      assertError(await app.call('put', up(bob, 'put-body'), { raw: '{"value":[1]}' }), 400, /object|array/i);
      assertError(await app.call('put', up(bob, 'put-body'), { raw: '{"value":{"a":1},"extra":1}' }), 400, /extra/);
      assertError(await app.call('put', up(bob, 'put-body'), { raw: '{}' }), 400, /value/i);
      assert.deepEqual((await app.call<UserProperty>('get', up(bob, 'put-body'))).body.value, { ok: true });
    });

    it('an empty object value is a valid object', async function () {
      assertStatus(await app.call('post', up(bob, 'empty-object'), { json: { value: {} } }), 201);
      assert.deepEqual((await app.call<UserProperty>('get', up(bob, 'empty-object'))).body.value, {});
    });
  });

  describe('keys', function () {
    for (const key of ['bad.key', 'bad~key', 'bad!key', "bad'key", 'bad*key']) {
      it(`a key outside ^[-_a-zA-Z0-9]+$ (${key}) → 400`, async function () {
        assertError(await app.call('post', up(bob, key), { json: { value: { a: 1 } } }), 400, /key/i);
      });
    }

    it('a key of letters, digits, - and _ is fine', async function () {
      assertStatus(await app.call('post', up(bob, 'Ok_key-123'), { json: { value: { a: 1 } } }), 201);
      assertStatus(await app.call('get', up(bob, 'Ok_key-123')), 200);
    });

    it('key length: 255 characters is fine, 256 → 400 (POST, PUT and GET)', async function () {
      const ok = 'k'.repeat(255);
      const tooLong = 'k'.repeat(256);
      assertStatus(await app.call('post', up(bob, ok), { json: { value: { a: 1 } } }), 201);
      assertStatus(await app.call('get', up(bob, ok)), 200);
      assertError(await app.call('post', up(bob, tooLong), { json: { value: { a: 1 } } }), 400, /key/i);
      assertError(await app.call('put', up(bob, tooLong), { json: { value: { a: 1 } } }), 400, /key/i);
      assertError(await app.call('get', up(bob, tooLong)), 400, /key/i);
    });
  });

  describe('value size and property count limits', function () {
    it('a value up to 32,768 characters of JSON is accepted, one beyond → 400', async function () {
      // {"s":"…"} is 8 characters plus the string.
      const fits = { s: 'x'.repeat(32_768 - 8) };
      const over = { s: 'x'.repeat(32_768 - 7) };
      assert.equal(JSON.stringify(fits).length, 32_768);
      assertStatus(await app.call('post', up(carol, 'big-ok'), { json: { value: fits } }), 201);
      assertError(await app.call('post', up(carol, 'big-over'), { json: { value: over } }), 400, /value|long|large|size|limit/i);
      assertError(await app.call('put', up(carol, 'big-ok'), { json: { value: over } }), 400, /value|long|large|size|limit/i);
      assertError(await app.call('get', up(carol, 'big-over')), 404);
    });

    it('the value limit is a setting (userPropertyMaxValueLength)', async function () {
      await site.control.ok(site.control.put('settings', { userPropertyMaxValueLength: 100 }), 'PUT settings');
      try {
        assertError(await app.call('post', up(carol, 'small-limit'), { json: { value: { s: 'x'.repeat(200) } } }), 400);
        assertStatus(await app.call('post', up(carol, 'small-limit'), { json: { value: { s: 'x'.repeat(50) } } }), 201);
      } finally {
        await site.control.ok(site.control.put('settings', { userPropertyMaxValueLength: 32_768 }), 'PUT settings');
      }
    });

    it('the key length limit is a setting (userPropertyMaxKeyLength)', async function () {
      await site.control.ok(site.control.put('settings', { userPropertyMaxKeyLength: 10 }), 'PUT settings');
      try {
        assertError(await app.call('post', up(carol, 'k'.repeat(11)), { json: { value: {} } }), 400, /key/i);
        assertStatus(await app.call('post', up(carol, 'k'.repeat(10)), { json: { value: {} } }), 201);
      } finally {
        await site.control.ok(site.control.put('settings', { userPropertyMaxKeyLength: 255 }), 'PUT settings');
      }
    });

    it('the number of properties per user per app is limited (userPropertyMaxPerUser); other users are not affected', async function () {
      const user = await site.control.ok(site.control.post<{ accountId: string }>('users', { displayName: 'Count Limit' }), 'POST users');
      await site.control.ok(site.control.put('settings', { userPropertyMaxPerUser: 3 }), 'PUT settings');
      try {
        for (const k of ['c1', 'c2', 'c3']) assertStatus(await app.call('post', up(user.accountId, k), { json: { value: {} } }), 201);
        const fourth = await app.call('post', up(user.accountId, 'c4'), { json: { value: {} } });
        assert.ok(fourth.status >= 400 && fourth.status < 500, `over the count limit: ${fourth.status} ${fourth.text}`);
        assertError(fourth, fourth.status, /limit|many|maximum|exceed/i);
        // Updating an existing one is still fine, and deleting frees a slot.
        assertStatus(await app.call('put', up(user.accountId, 'c1'), { json: { value: { v: 2 } } }), 204);
        assertStatus(await app.call('del', up(user.accountId, 'c3')), 204);
        assertStatus(await app.call('post', up(user.accountId, 'c4'), { json: { value: {} } }), 201);
      } finally {
        await site.control.ok(site.control.put('settings', { userPropertyMaxPerUser: 100 }), 'PUT settings');
      }
    });
  });

  describe('listing keys', function () {
    let user: string;
    const keys = Array.from({ length: 30 }, (_, i) => `list-${String(i).padStart(2, '0')}`);

    before(async function () {
      user = (await site.control.ok(site.control.post<{ accountId: string }>('users', { displayName: 'Lister' }), 'POST users')).accountId;
      for (const k of keys) assertStatus(await app.call('post', up(user, k), { json: { value: { k } } }), 201);
    });

    it('defaults to start 0, limit 5: {results:[{key}], start, limit, size, _links}', async function () {
      const res = await app.call<PropertyList>('get', up(user));
      assertStatus(res, 200);
      assert.equal(res.body.start, 0);
      assert.equal(res.body.limit, 5);
      assert.equal(res.body.size, 5);
      assert.equal(res.body.results.length, 5);
      for (const r of res.body.results) {
        assert.equal(typeof r.key, 'string');
        assert.ok(keys.includes(r.key));
      }
      assert.ok(res.body._links && typeof res.body._links === 'object');
    });

    it('pages with start and limit, and the pages cover every key exactly once', async function () {
      const seen: string[] = [];
      for (let start = 0; start < 40; start += 7) {
        const res = await app.call<PropertyList>('get', `${up(user)}?start=${start}&limit=7`);
        assertStatus(res, 200);
        assert.equal(res.body.start, start);
        assert.equal(res.body.limit, 7);
        assert.equal(res.body.size, res.body.results.length);
        seen.push(...res.body.results.map((r) => r.key));
      }
      assert.deepEqual([...seen].sort(), [...keys].sort());
    });

    it('caps limit at 25', async function () {
      const res = await app.call<PropertyList>('get', `${up(user)}?limit=100`);
      assertStatus(res, 200);
      assert.equal(res.body.results.length, 25);
      assert.ok(res.body.limit <= 25, `limit ${res.body.limit}`);
      const rest = await app.call<PropertyList>('get', `${up(user)}?start=25&limit=25`);
      assert.equal(rest.body.results.length, 5);
    });

    it('lists only the keys of that user', async function () {
      const res = await app.call<PropertyList>('get', `${up(carol)}?limit=25`);
      assertStatus(res, 200);
      assert.ok(res.body.results.every((r) => !r.key.startsWith('list-')));
    });
  });

  describe('unknown accounts', function () {
    it('an unknown accountId → 404 on list, get, create, update and delete', async function () {
      assertError(await app.call('get', up(nobody)), 404);
      assertError(await app.call('get', up(nobody, 'k')), 404);
      assertError(await app.call('post', up(nobody, 'k'), { json: { value: {} } }), 404);
      assertError(await app.call('put', up(nobody, 'k'), { json: { value: {} } }), 404);
      assertError(await app.call('del', up(nobody, 'k')), 404);
    });

    it('a malformed accountId → 400', async function () {
      assertError(await app.call('get', up('not!an!account', 'k')), 400, /accountId/i);
      assertError(await app.call('get', up('not!an!account')), 400, /accountId/i);
    });

    it('the accountId may be percent-encoded in the path (712020%3A…), as clients such as confluence.js send it', async function () {
      const encoded = encodeURIComponent(alice);
      assert.notEqual(encoded, alice);
      assertStatus(await app.call('post', up(encoded, 'encoded-id'), { json: { value: { e: 1 } } }), 201);
      const res = await app.call<UserProperty>('get', up(alice, 'encoded-id'));
      assertStatus(res, 200);
      assert.deepEqual(res.body.value, { e: 1 });
      assertStatus(await app.call('get', up(encoded, 'encoded-id'), { as: alice }), 200);
    });

    it('a user added through the control API has properties', async function () {
      const user = await site.control.ok(
        site.control.post<{ accountId: string; displayName: string; siteAdmin: boolean }>('users', { displayName: 'Dora New' }),
        'POST users',
      );
      assert.match(user.accountId, /^712020:/);
      assert.equal(user.displayName, 'Dora New');
      assert.equal(user.siteAdmin, false);
      assertStatus(await app.call('post', up(user.accountId, 'k'), { json: { value: {} } }), 201);
    });
  });
});

describe('emulator conformance: user property scopes and per-app isolation', function () {
  let site: Site;
  let app: InstalledTestApp;
  let other: InstalledTestApp;
  let readOnly: InstalledTestApp;
  let noScopes: InstalledTestApp;

  before(async function () {
    site = await startSite();
    app = await site.installApp();
    other = await site.installApp();
    readOnly = await site.installApp({ scopes: ['READ'] });
    noScopes = await site.installApp({ scopes: [] });
  });

  after(async function () {
    await site?.close();
  });

  it('two apps store the same key for the same user without seeing each other', async function () {
    assertStatus(await app.call('post', up(alice, 'shared-key'), { json: { value: { owner: 'app' } } }), 201);
    // Not a 409: the other app's key space is separate.
    assertStatus(await other.call('post', up(alice, 'shared-key'), { json: { value: { owner: 'other' } } }), 201);
    assert.deepEqual((await app.call<UserProperty>('get', up(alice, 'shared-key'))).body.value, { owner: 'app' });
    assert.deepEqual((await other.call<UserProperty>('get', up(alice, 'shared-key'))).body.value, { owner: 'other' });

    assertStatus(await app.call('post', up(alice, 'only-app'), { json: { value: {} } }), 201);
    assertError(await other.call('get', up(alice, 'only-app')), 404);
    const listed = await other.call<PropertyList>('get', `${up(alice)}?limit=25`);
    assert.ok(!listed.body.results.some((r) => r.key === 'only-app'), "the other app's list does not show it");

    assertStatus(await other.call('del', up(alice, 'shared-key')), 204);
    assert.deepEqual(
      (await app.call<UserProperty>('get', up(alice, 'shared-key'))).body.value,
      { owner: 'app' },
      'deleting in one app leaves the other',
    );
    assertError(await other.call('put', up(alice, 'only-app'), { json: { value: {} } }), 404);
  });

  it('an app with only READ can list and get (200/404) but POST, PUT and DELETE → 403', async function () {
    assertStatus(await readOnly.call('get', up(alice)), 200);
    assertError(await readOnly.call('get', up(alice, 'nothing-here')), 404);
    assertError(await readOnly.call('post', up(alice, 'ro'), { json: { value: {} } }), 403);
    assertError(await readOnly.call('put', up(alice, 'ro'), { json: { value: {} } }), 403);
    assertError(await readOnly.call('del', up(alice, 'ro')), 403);
  });

  it('an app without READ → 403 on GET', async function () {
    assertError(await noScopes.call('get', up(alice)), 403);
    assertError(await noScopes.call('get', up(alice, 'x')), 403);
  });
});

describe('emulator conformance: user properties as a user (asUserByAccountId, AP.request) and the as-user restriction', function () {
  let site: Site;
  let app: InstalledTestApp;

  withInstalledApp((started) => ({ site, app } = started));

  function apRequest(accountId: string, method: string, path: string, body?: unknown): Promise<ApResult> {
    return site.control.ok(
      site.control.post<ApResult>('ap-request', { appKey: app.key, accountId, method, path, ...(body === undefined ? {} : { body }) }),
      'ap-request',
    );
  }

  it('the default setting has asUserRestriction off: no document says the restriction shipped', async function () {
    const settings = await site.control.ok(site.control.get<{ asUserRestriction?: unknown }>('settings'), 'GET settings');
    assert.equal(settings.asUserRestriction, false);
  });

  it('a user manages their own properties through asUserByAccountId (Bearer)', async function () {
    assertStatus(await app.call('post', up(alice, 'mine'), { as: alice, json: { value: { v: 1 } } }), 201);
    const got = await app.call<UserProperty>('get', up(alice, 'mine'), { as: alice });
    assertStatus(got, 200);
    assert.deepEqual(got.body.value, { v: 1 });
    assertStatus(await app.call('put', up(alice, 'mine'), { as: alice, json: { value: { v: 2 } } }), 204);
    assertStatus(await app.call('get', up(alice), { as: alice }), 200);
    // What the user wrote is the app's: the app sees it too.
    assert.deepEqual((await app.call<UserProperty>('get', up(alice, 'mine'))).body.value, { v: 2 });
  });

  describe('with the as-user restriction switched on', function () {
    before(async () => site.control.ok(site.control.put('settings', { asUserRestriction: true }), 'PUT settings'));
    after(async () => site.control.ok(site.control.put('settings', { asUserRestriction: false }), 'PUT settings'));

    it("as bob (Bearer), alice's properties → 403 for list, get, create, update and delete", async function () {
      assertStatus(await app.call('post', up(alice, 'private'), { json: { value: { secret: 1 } } }), 201);
      assertError(await app.call('get', up(alice), { as: bob }), 403);
      assertError(await app.call('get', up(alice, 'private'), { as: bob }), 403);
      assertError(await app.call('post', up(alice, 'planted'), { as: bob, json: { value: {} } }), 403);
      assertError(await app.call('put', up(alice, 'private'), { as: bob, json: { value: { secret: 2 } } }), 403);
      assertError(await app.call('del', up(alice, 'private'), { as: bob }), 403);
      const still = await app.call<UserProperty>('get', up(alice, 'private'));
      assert.deepEqual(still.body.value, { secret: 1 }, 'unchanged');
      assertError(await app.call('get', up(alice, 'planted')), 404);
    });

    it("AP.request from bob's iframe on alice's property → 403; from alice's → 200", async function () {
      const asBob = await apRequest(bob, 'GET', up(alice, 'private'));
      assert.equal(asBob.status, 403, JSON.stringify(asBob));
      const putAsBob = await apRequest(bob, 'PUT', up(alice, 'private'), { value: { secret: 9 } });
      assert.equal(putAsBob.status, 403, JSON.stringify(putAsBob));
      const delAsBob = await apRequest(bob, 'DELETE', up(alice, 'private'));
      assert.equal(delAsBob.status, 403, JSON.stringify(delAsBob));
      const asAlice = await apRequest(alice, 'GET', up(alice, 'private'));
      assert.equal(asAlice.status, 200, JSON.stringify(asAlice));
      const body = typeof asAlice.body === 'string' ? (JSON.parse(asAlice.body) as UserProperty) : (asAlice.body as UserProperty);
      assert.deepEqual(body.value, { secret: 1 });
    });
  });

  it("as the app, alice's properties are readable and writable", async function () {
    assertStatus(await app.call('post', up(alice, 'app-reach'), { as: alice, json: { value: { secret: 1 } } }), 201);
    assertStatus(await app.call('get', up(alice, 'app-reach')), 200);
    assertStatus(await app.call('put', up(alice, 'app-reach'), { json: { value: { secret: 2 } } }), 204);
  });

  it('AP.request from a user creates, updates and deletes their own property', async function () {
    assert.equal((await apRequest(carol, 'POST', up(carol, 'ap-own'), { value: { v: 1 } })).status, 201);
    assert.equal((await apRequest(carol, 'POST', up(carol, 'ap-own'), { value: { v: 1 } })).status, 409);
    assert.equal((await apRequest(carol, 'PUT', up(carol, 'ap-own'), { value: { v: 2 } })).status, 204);
    assert.equal((await apRequest(carol, 'PUT', up(carol, 'ap-own'), { value: [2] })).status, 400);
    assert.equal((await apRequest(carol, 'DELETE', up(carol, 'ap-own'))).status, 204);
    assert.equal((await apRequest(carol, 'GET', up(carol, 'ap-own'))).status, 404);
  });

  it('AP.request lists the signed-in user’s own keys with start and limit', async function () {
    for (const k of ['ap-list-1', 'ap-list-2', 'ap-list-3']) {
      assert.equal((await apRequest(bob, 'POST', up(bob, k), { value: { k } })).status, 201);
    }
    const res = await apRequest(bob, 'GET', `${up(bob)}?start=1&limit=1`);
    assert.equal(res.status, 200, JSON.stringify(res));
    const body = (typeof res.body === 'string' ? JSON.parse(res.body) : res.body) as PropertyList;
    assert.equal(body.start, 1);
    assert.equal(body.limit, 1);
    assert.equal(body.results.length, 1);
  });

  it('with asUserRestriction off (the default), bob reads, changes and deletes alice’s property (the community thread)', async function () {
    assertStatus(await app.call('post', up(alice, 'thread'), { json: { value: { secret: 1 } } }), 201);
    {
      const read = await app.call<UserProperty>('get', up(alice, 'thread'), { as: bob });
      assertStatus(read, 200);
      assert.deepEqual(read.body.value, { secret: 1 });
      assertStatus(await app.call('put', up(alice, 'thread'), { as: bob, json: { value: { secret: 'changed by bob' } } }), 204);
      assert.equal((await apRequest(bob, 'GET', up(alice, 'thread'))).status, 200);
      assert.deepEqual((await app.call<UserProperty>('get', up(alice, 'thread'))).body.value, { secret: 'changed by bob' });
      assertStatus(await app.call('del', up(alice, 'thread'), { as: bob }), 204);
      assertError(await app.call('get', up(alice, 'thread')), 404);
    }
    assertStatus(await app.call('post', up(alice, 'thread'), { json: { value: { secret: 3 } } }), 201);
    await site.control.ok(site.control.put('settings', { asUserRestriction: true }), 'PUT settings');
    try {
      assertError(await app.call('get', up(alice, 'thread'), { as: bob }), 403);
    } finally {
      await site.control.ok(site.control.put('settings', { asUserRestriction: false }), 'PUT settings');
    }
  });

  it('a read-only app acting as a user still cannot write (scopes apply to Bearer calls)', async function () {
    const ro = await site.installApp({ scopes: ['READ', 'ACT_AS_USER'] });
    assertStatus(await hostCall(ro.asUser(alice), 'get', up(alice)), 200);
    assertError(await hostCall(ro.asUser(alice), 'post', up(alice, 'x'), { json: { value: {} } }), 403);
  });
});
