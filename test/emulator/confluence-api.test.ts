// Conformance: the rest of Confluence the product needs (users, admin check, content by id),
// through ACE's httpClient as the app and as a user.
import assert from 'node:assert/strict';
import { SEEDED_USERS } from '../../emulator';
import { type InstalledTestApp, type Site, assertError, assertStatus, startSite } from './harness';

interface User {
  type?: unknown;
  accountId?: unknown;
  accountType?: unknown;
  displayName?: unknown;
  publicName?: unknown;
  _links?: unknown;
  operations?: { operation: string; targetType: string }[];
}

interface Content {
  id?: unknown;
  type?: unknown;
  status?: unknown;
  title?: unknown;
  space?: { key?: unknown; name?: unknown };
  _links?: { webui?: unknown; self?: unknown; base?: unknown };
}

const { admin, alice, bob } = SEEDED_USERS;
const nobody = '712020:ffffffff-ffff-4fff-8fff-ffffffffffff';

function isAdministrator(user: User): boolean {
  return (user.operations ?? []).some((o) => o.operation === 'administer' && o.targetType === 'application');
}

describe('emulator conformance: users, admin check and content', function () {
  let site: Site;
  let app: InstalledTestApp;
  let noRead: InstalledTestApp;

  before(async function () {
    site = await startSite();
    app = await site.installApp();
    noRead = await site.installApp({ scopes: [] });
  });

  after(async function () {
    await site?.close();
  });

  it('GET /rest/api/user/current as a user answers that user (accountId, displayName, type known, accountType atlassian)', async function () {
    const res = await app.call<User>('get', '/rest/api/user/current', { as: alice.accountId });
    assertStatus(res, 200);
    assert.equal(res.body.accountId, alice.accountId);
    assert.equal(res.body.displayName, alice.displayName);
    assert.equal(res.body.type, 'known');
    assert.equal(res.body.accountType, 'atlassian');
    assert.ok(res.body._links && typeof res.body._links === 'object');
  });

  it('GET /rest/api/user/current as the app answers the app’s own user (accountType app), not a person', async function () {
    const res = await app.call<User>('get', '/rest/api/user/current');
    assertStatus(res, 200);
    assert.equal(res.body.accountType, 'app');
    assert.equal(typeof res.body.accountId, 'string');
    assert.ok(!Object.values(SEEDED_USERS).some((u) => u.accountId === res.body.accountId));
  });

  it('GET /rest/api/user?accountId= answers the display name; unknown → 404', async function () {
    const res = await app.call<User>('get', `/rest/api/user?accountId=${encodeURIComponent(bob.accountId)}`);
    assertStatus(res, 200);
    assert.equal(res.body.accountId, bob.accountId);
    assert.equal(res.body.displayName, bob.displayName);
    assertError(await app.call('get', `/rest/api/user?accountId=${encodeURIComponent(nobody)}`), 404);
  });

  it('GET /rest/api/user without accountId → 400', async function () {
    assertError(await app.call('get', '/rest/api/user'), 400);
  });

  it('tells a site admin from a user with expand=operations (administer/application)', async function () {
    const asAdmin = await app.call<User>('get', '/rest/api/user/current?expand=operations', { as: admin.accountId });
    assertStatus(asAdmin, 200);
    assert.equal(isAdministrator(asAdmin.body), true, JSON.stringify(asAdmin.body.operations));
    const asAlice = await app.call<User>('get', '/rest/api/user/current?expand=operations', { as: alice.accountId });
    assertStatus(asAlice, 200);
    assert.ok(Array.isArray(asAlice.body.operations));
    assert.equal(isAdministrator(asAlice.body), false);
    const byId = await app.call<User>('get', `/rest/api/user?accountId=${encodeURIComponent(admin.accountId)}&expand=operations`);
    assert.equal(isAdministrator(byId.body), true);
  });

  it('a user added with siteAdmin: true is an administrator', async function () {
    const created = await site.control.ok(
      site.control.post<{ accountId: string }>('users', { displayName: 'Second Admin', siteAdmin: true }),
      'POST users',
    );
    const res = await app.call<User>('get', `/rest/api/user?accountId=${encodeURIComponent(created.accountId)}&expand=operations`);
    assertStatus(res, 200);
    assert.equal(res.body.displayName, 'Second Admin');
    assert.equal(isAdministrator(res.body), true);
    const users = await site.control.ok(site.control.get<Array<{ accountId: string; siteAdmin: boolean }>>('users'), 'GET users');
    assert.ok(users.some((u) => u.accountId === created.accountId && u.siteAdmin === true));
    for (const seeded of Object.values(SEEDED_USERS)) {
      assert.ok(
        users.some((u) => u.accountId === seeded.accountId),
        `seeded ${seeded.displayName} listed`,
      );
    }
  });

  it('GET /rest/api/user/memberof lists admin groups only for admins', async function () {
    const forAdmin = await app.call<{ results: { name: string }[] }>(
      'get',
      `/rest/api/user/memberof?accountId=${encodeURIComponent(admin.accountId)}`,
    );
    assertStatus(forAdmin, 200);
    const forAlice = await app.call<{ results: { name: string }[] }>(
      'get',
      `/rest/api/user/memberof?accountId=${encodeURIComponent(alice.accountId)}`,
    );
    assertStatus(forAlice, 200);
    assert.ok(forAdmin.body.results.length > forAlice.body.results.length);
  });

  it('GET /rest/api/content/{id} answers {id (string), type page, title, space {key}, _links}', async function () {
    const res = await app.call<Content>('get', '/rest/api/content/65601');
    assertStatus(res, 200);
    assert.equal(res.body.id, '65601');
    assert.equal(res.body.type, 'page');
    assert.equal(typeof res.body.title, 'string');
    assert.ok(String(res.body.title).length > 0);
    assert.equal(typeof res.body.space?.key, 'string');
    assert.equal(typeof res.body._links?.webui, 'string');
    const asUser = await app.call<Content>('get', '/rest/api/content/65601', { as: bob.accountId });
    assertStatus(asUser, 200);
    assert.equal(asUser.body.title, res.body.title);
  });

  it('GET /rest/api/content/{id} for an unknown id → 404', async function () {
    assertError(await app.call('get', '/rest/api/content/999999999'), 404);
  });

  it('an app without READ → 403 on users and content', async function () {
    assertError(await noRead.call('get', `/rest/api/user?accountId=${encodeURIComponent(bob.accountId)}`), 403);
    assertError(await noRead.call('get', '/rest/api/content/65601'), 403);
  });

  it('unknown REST paths → 404 with a JSON error, never HTML', async function () {
    const res = await app.call('get', '/rest/api/no-such-endpoint');
    assertError(res, 404);
  });
});

describe('emulator conformance: page view restrictions and the permission check', function () {
  let site: Site;
  let app: InstalledTestApp;
  let restricted: string;

  before(async function () {
    site = await startSite();
    app = await site.installApp();
    const created = await site.control.post<{ id: string }>('/pages', { spaceKey: 'ENG', title: 'Restricted', viewers: [bob.accountId] });
    assert.equal(created.status, 201);
    restricted = created.body.id;
  });

  after(async function () {
    await site?.close();
  });

  const check = (accountId: string) =>
    app.call<{ hasPermission: boolean }>('post', `/rest/api/content/${restricted}/permission/check`, {
      json: { subject: { type: 'user', identifier: accountId }, operation: 'read' },
    });

  it('POST …/permission/check (as the app) answers whether each user may read the page', async function () {
    const forAlice = await check(alice.accountId);
    assertStatus(forAlice, 200);
    assert.equal(forAlice.body.hasPermission, false);
    assert.equal((await check(bob.accountId)).body.hasPermission, true);
    assert.equal((await check(admin.accountId)).body.hasPermission, true, 'site admins read everything');
  });

  it('a user who may not read the page gets 404 for it, as if it did not exist; the app reads it', async function () {
    assertError(await app.call('get', `/rest/api/content/${restricted}`, { as: alice.accountId }), 404);
    assertStatus(await app.call('get', `/rest/api/content/${restricted}`, { as: bob.accountId }), 200);
    assertStatus(await app.call('get', `/rest/api/content/${restricted}`), 200);
  });

  it('rejects a permission check without a user subject', async function () {
    assertError(await app.call('post', `/rest/api/content/${restricted}/permission/check`, { json: { operation: 'read' } }), 400);
  });
});
