import assert from 'node:assert/strict';
import { SEEDED_USERS } from '../../emulator';
import { APP_KEY, request, startStack, storeKinds, type Stack } from '../support/keepsake-stack';
import type { SiteSettings } from '../../lib/sites/site-settings';

const { alice, bob, carol, admin } = SEEDED_USERS;

interface ErrorBody {
  code: string;
  message: string;
  details?: { problems: { field: string; message: string }[] };
}
interface LogEntry {
  method: string;
  path: string;
  authKind: string;
  accountId?: string;
  actingAccountId?: string;
  status: number;
}

for (const store of storeKinds()) {
  describe(`site administration (${store})`, () => {
    let stack: Stack;
    before(async () => {
      stack = await startStack({ store, settings: { KEEPSAKE_CACHE_TTL_SECONDS: 0 } });
    });
    after(async () => stack?.close());

    const settingsOf = async () =>
      (await stack.api<{ settings: SiteSettings }>(admin.accountId, 'GET', '/api/admin/settings')).body.settings;

    it('refuses a user who is not a Confluence administrator, whatever the client claims', async () => {
      for (const [method, path] of [
        ['GET', '/api/admin/settings'],
        ['PUT', '/api/admin/settings'],
        ['GET', '/api/admin/stats'],
        ['POST', '/api/admin/storage/move'],
      ]) {
        const reply = await stack.api<ErrorBody>(
          alice.accountId,
          method,
          path,
          method === 'PUT' ? { mode: 'auto', admin: true } : undefined,
        );
        assert.equal(reply.status, 403, `${method} ${path}`);
        assert.equal(reply.body.code, 'FORBIDDEN');
      }
    });

    it('shows the admin the settings and the storage status', async () => {
      const reply = await stack.api<{ settings: SiteSettings; storage: { mode: string } }>(admin.accountId, 'GET', '/api/admin/settings');
      assert.equal(reply.status, 200);
      assert.equal(reply.body.settings.mode, 'auto');
      assert.equal(reply.body.settings.defaults.viewMode, 'comfortable');
      assert.equal(reply.body.storage.mode, 'auto');
    });

    it('rejects invalid settings naming each field', async () => {
      const settings = await settingsOf();
      const reply = await stack.api<ErrorBody>(admin.accountId, 'PUT', '/api/admin/settings', {
        ...settings,
        mode: 'cloud',
        defaults: { ...settings.defaults, viewMode: 'x' },
      });
      assert.equal(reply.status, 400);
      const fields = reply.body.details?.problems.map((p) => p.field).sort();
      assert.deepEqual(fields, ['defaults.viewMode', 'mode']);
    });

    it('gives new users the site’s defaults', async () => {
      const settings = await settingsOf();
      const put = await stack.api(admin.accountId, 'PUT', '/api/admin/settings', {
        ...settings,
        defaults: { viewMode: 'focus', tracking: { analytics: true, productEmails: false } },
      });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      const carols = await stack.api<{ viewMode: string; tracking: Record<string, boolean> }>(carol.accountId, 'GET', '/api/preferences');
      assert.equal(carols.body.viewMode, 'focus');
      assert.equal(carols.body.tracking.analytics, true);
    });

    it('hides private profile fields from others and refuses disabled ones', async () => {
      const settings = await settingsOf();
      await stack.api(admin.accountId, 'PUT', '/api/admin/settings', {
        ...settings,
        profileFields: { ...settings.profileFields, note: { enabled: true, public: false }, location: { enabled: false, public: true } },
      });
      const saved = await stack.api(alice.accountId, 'PUT', '/api/profile', { pronouns: 'she/her', note: 'only for me' });
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      const bobSees = await stack.api<{ profile: Record<string, string> }>(
        bob.accountId,
        'GET',
        `/api/profile/${encodeURIComponent(alice.accountId)}`,
      );
      assert.deepEqual(bobSees.body.profile, { pronouns: 'she/her' });
      const aliceSees = await stack.api<{ profile: Record<string, string> }>(
        alice.accountId,
        'GET',
        `/api/profile/${encodeURIComponent(alice.accountId)}`,
      );
      assert.deepEqual(aliceSees.body.profile, { pronouns: 'she/her', note: 'only for me' });
      const disabled = await stack.api<ErrorBody>(alice.accountId, 'PUT', '/api/profile', { location: 'Sydney' });
      assert.equal(disabled.status, 400);
      assert.match(disabled.body.message, /location/);
    });

    it('acts as the user for their own data once the admin enables it', async () => {
      const settings = await settingsOf();
      await stack.api(admin.accountId, 'PUT', '/api/admin/settings', { ...settings, actAsUser: true });
      await stack.control('DELETE', '/requests');
      const saved = await stack.api(alice.accountId, 'PATCH', '/api/preferences', { viewMode: 'compact' });
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      const log = await stack.control<LogEntry[]>('GET', '/requests');
      const propertyCalls = log.body.filter((e) => e.path.includes('/property/keepsake-main'));
      assert.ok(propertyCalls.length > 0);
      for (const call of propertyCalls) assert.equal(call.authKind, 'bearer', JSON.stringify(call));
      // Reading another user's public card stays an app call: as a user it would be refused.
      const card = await stack.api(bob.accountId, 'GET', `/api/profile/${encodeURIComponent(alice.accountId)}`);
      assert.equal(card.status, 200);
      await stack.api(admin.accountId, 'PUT', '/api/admin/settings', { ...settings, actAsUser: false });
    });

    it('says plainly when Confluence will not let Keepsake act as the user', async () => {
      const refusing = await startStack({ store, settings: { KEEPSAKE_OAUTH_SERVER_URL: 'http://127.0.0.1:9' } });
      try {
        const settings = (await refusing.api<{ settings: SiteSettings }>(admin.accountId, 'GET', '/api/admin/settings')).body.settings;
        await refusing.api(admin.accountId, 'PUT', '/api/admin/settings', { ...settings, actAsUser: true });
        const reply = await refusing.api<ErrorBody>(carol.accountId, 'PATCH', '/api/preferences', { viewMode: 'focus' });
        assert.equal(reply.status, 502, JSON.stringify(reply.body));
        assert.equal(reply.body.code, 'CONFLUENCE_REJECTED');
        assert.match(reply.body.message, /act as you/);
      } finally {
        await refusing.close();
      }
    });

    it('counts users, Confluence calls and the backend in the stats', async () => {
      const stats = await stack.api<{
        usersWithPreferences: number;
        confluence: { calls: number };
        storage: { activeBackend: string | null; detectedBackend: string | null };
      }>(admin.accountId, 'GET', '/api/admin/stats');
      assert.equal(stats.status, 200);
      assert.ok(stats.body.usersWithPreferences >= 1);
      assert.ok(stats.body.confluence.calls > 0);
      assert.equal(stats.body.storage.detectedBackend, 'user-properties');
      assert.equal(stats.body.storage.activeBackend, 'user-properties', 'the backend in use is shown once data is stored');
    });
  });

  describe(`install lifecycle (${store})`, () => {
    let stack: Stack;
    before(async () => {
      stack = await startStack({ store });
    });
    after(async () => stack?.close());

    it('stops accepting the old secret on uninstall, and resumes with the data on reinstall', async () => {
      await stack.api(alice.accountId, 'PATCH', '/api/preferences', { viewMode: 'focus' });
      const token = await stack.contextToken(alice.accountId);
      const removed = await stack.control('DELETE', `/apps/${APP_KEY}`);
      assert.equal(removed.status, 204);
      const refused = await request<ErrorBody>(`${stack.keepsake.url}/api/preferences`, 'GET', undefined, {
        Authorization: `JWT ${token}`,
      });
      assert.equal(refused.status, 401);
      assert.equal(refused.body.code, 'UNAUTHENTICATED');

      const again = await stack.control<{ clientKey: string }>('POST', '/apps', {
        descriptorUrl: `${stack.keepsake.url}/atlassian-connect.json`,
      });
      assert.equal(again.status, 201, JSON.stringify(again.body));
      assert.equal(again.body.clientKey, stack.clientKey);
      const stale = await request<ErrorBody>(`${stack.keepsake.url}/api/preferences`, 'GET', undefined, { Authorization: `JWT ${token}` });
      assert.equal(stale.status, 401, 'a token signed with the old secret stays refused');
      const resumed = await stack.api<{ viewMode: string }>(alice.accountId, 'GET', '/api/preferences');
      assert.equal(resumed.status, 200);
      assert.equal(resumed.body.viewMode, 'focus');
    });

    it('acts as the user again right after a reinstall (no stale cached OAuth token)', async () => {
      const current = await stack.api<{ settings: SiteSettings }>(admin.accountId, 'GET', '/api/admin/settings');
      await stack.api(admin.accountId, 'PUT', '/api/admin/settings', { ...current.body.settings, actAsUser: true });
      assert.equal((await stack.api(alice.accountId, 'PATCH', '/api/preferences', { viewMode: 'compact' })).status, 200);
      await stack.control('DELETE', `/apps/${APP_KEY}`);
      const again = await stack.control('POST', '/apps', { descriptorUrl: `${stack.keepsake.url}/atlassian-connect.json` });
      assert.equal(again.status, 201);
      const saved = await stack.api<{ viewMode: string }>(alice.accountId, 'PATCH', '/api/preferences', { viewMode: 'focus' });
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      assert.equal(saved.body.viewMode, 'focus');
    });

    it('refuses an install signed by an unknown key server', async () => {
      const previous = process.env.CONNECT_KEYS_CDN_URL;
      process.env.CONNECT_KEYS_CDN_URL = 'http://127.0.0.1:9/nothing';
      try {
        await stack.control('DELETE', `/apps/${APP_KEY}`);
        const refused = await stack.control<{ message: string }>('POST', '/apps', {
          descriptorUrl: `${stack.keepsake.url}/atlassian-connect.json`,
        });
        assert.equal(refused.status, 400);
        assert.match(refused.body.message, /installed/);
      } finally {
        process.env.CONNECT_KEYS_CDN_URL = previous;
      }
    });
  });
}
