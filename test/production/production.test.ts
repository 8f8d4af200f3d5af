// Production as deployed: compiled JavaScript (`npm run build`, `node dist/server.js`),
// NODE_ENV=production, two instances on one Postgres behind one public URL, installed into the
// emulator through one and serving through the other.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { SEEDED_USERS, startEmulator } from '../../emulator';
import { eventually } from '../support/eventually';
import { freePort } from '../support/keepsake-process';
import { request, type Emulator } from '../support/keepsake-stack';
import { freshPostgres } from '../support/postgres-database';
import { buildForProduction, DATA_KEY, startProductionInstance, type ProductionInstance } from './production-instance';
import type { PreferencesSummary } from '../../lib/preferences/preferences-summary';

const alice = SEEDED_USERS.alice.accountId;
const bob = SEEDED_USERS.bob.accountId;

describe('production: compiled, NODE_ENV=production', function () {
  this.timeout(240_000);

  before(async function () {
    await buildForProduction();
  });

  it('refuses to start without DATABASE_URL, AC_LOCAL_BASE_URL or KEEPSAKE_DATA_KEY, saying why in one JSON line', async () => {
    const instance = await startProductionInstance(await freePort(), {}, false);
    assert.equal(await instance.exited, 1);
    const lines = instance.output().split('\n').filter(Boolean);
    assert.equal(lines.length, 1, instance.output());
    const { msg } = JSON.parse(lines[0]) as { msg: string };
    assert.match(msg, /refuses to start with NODE_ENV=production without/);
    assert.match(msg, /DATABASE_URL: the Postgres connection string/);
    assert.match(msg, /AC_LOCAL_BASE_URL: the public https URL/);
    assert.match(msg, /KEEPSAKE_DATA_KEY: the key that encrypts shared secrets/);
  });

  it("refuses to start with AC_OPTS=no-auth (ACE's JWT and signed-install checks off), saying why", async () => {
    const port = await freePort();
    const instance = await startProductionInstance(
      port,
      {
        DATABASE_URL: 'postgres://keepsake@127.0.0.1:1/unused',
        AC_LOCAL_BASE_URL: `http://localhost:${port}`,
        KEEPSAKE_DATA_KEY: DATA_KEY,
        AC_OPTS: 'no-reg,no-auth',
      },
      false,
    );
    assert.equal(await instance.exited, 1);
    const lines = instance.output().split('\n').filter(Boolean);
    assert.equal(lines.length, 1, instance.output());
    const { msg } = JSON.parse(lines[0]) as { msg: string };
    assert.match(msg, /refuses to start with NODE_ENV=production with AC_OPTS=no-reg,no-auth/);
    assert.match(msg, /no-auth: switches off ACE's checks of request JWTs and of signed installs/);
  });

  describe('two instances on one Postgres', function () {
    let emulator: Emulator;
    let a: ProductionInstance;
    let b: ProductionInstance;
    const tokens = new Map<string, string>();

    before(async function () {
      const databaseUrl = await freshPostgres(this);
      emulator = await startEmulator({ port: 0 });
      const [portA, portB] = [await freePort(), await freePort()];
      // One public URL for both, as behind a load balancer; it reaches a, so the install goes through a.
      const env = {
        DATABASE_URL: databaseUrl,
        KEEPSAKE_DATA_KEY: DATA_KEY,
        AC_LOCAL_BASE_URL: `http://localhost:${portA}`,
        // The emulator's site is on localhost, which production's *.atlassian.net whitelist refuses.
        AC_HOST_WHITELIST: 'localhost',
        CONNECT_KEYS_CDN_URL: emulator.keysUrl,
        KEEPSAKE_OAUTH_SERVER_URL: emulator.oauthServerUrl,
      };
      [a, b] = await Promise.all([startProductionInstance(portA, env), startProductionInstance(portB, env)]);
      const installed = await request(`${emulator.baseUrl}/_emulator/apps`, 'POST', { descriptorUrl: `${a.url}/atlassian-connect.json` });
      assert.equal(installed.status, 201, JSON.stringify(installed.body));
    });
    after(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await emulator?.close();
    });

    const tokenFor = async (accountId: string) => {
      if (!tokens.has(accountId)) {
        const minted = await request<{ token: string }>(`${emulator.baseUrl}/_emulator/context-token`, 'POST', {
          appKey: 'keepsake',
          accountId,
        });
        tokens.set(accountId, minted.body.token);
      }
      return tokens.get(accountId)!;
    };
    const call = async <T>(instance: ProductionInstance, accountId: string, method: string, path: string, body?: unknown) =>
      request<T>(`${instance.url}${path}`, method, body, { Authorization: `JWT ${await tokenFor(accountId)}` });
    // A write through one instance reaches the other's cache by NOTIFY, a moment after the answer.
    const reads = (instance: ProductionInstance, accountId: string, holds: (view: PreferencesSummary) => boolean) => async () =>
      holds((await call<PreferencesSummary>(instance, accountId, 'GET', '/api/preferences')).body);

    it('answers /healthz and /readyz on both', async () => {
      for (const instance of [a, b]) {
        assert.equal((await request(`${instance.url}/healthz`, 'GET')).status, 200);
        assert.equal((await request(`${instance.url}/readyz`, 'GET')).status, 200);
      }
    });

    it("agrees on a user's reads and writes, whichever instance serves them", async () => {
      assert.equal((await call(b, alice, 'PATCH', '/api/preferences', { viewMode: 'focus' })).status, 200);
      await eventually(
        'a reads the write made through b',
        reads(a, alice, (v) => v.viewMode === 'focus'),
      );
      assert.equal((await call(a, alice, 'POST', '/api/bookmarks', { contentId: '65602' })).status, 200);
      await eventually(
        'b reads the bookmark added through a',
        reads(b, alice, (v) => v.bookmarkCount === 1),
      );
      assert.equal((await call(b, alice, 'PATCH', '/api/preferences', { viewMode: 'compact' })).status, 200);
      await eventually(
        'a reads both',
        reads(a, alice, (v) => v.viewMode === 'compact' && v.bookmarkCount === 1),
      );
    });

    it('serves the panel through the instance that did not take the install', async () => {
      const { body } = await request<{ url: string }>(
        `${emulator.baseUrl}/_emulator/iframe-url?appKey=keepsake&moduleKey=keepsake-panel&accountId=${encodeURIComponent(alice)}&pageId=65601`,
        'GET',
      );
      const viaB = new URL(body.url);
      viaB.host = new URL(b.url).host;
      const panel = await fetch(viaB);
      assert.equal(panel.status, 200);
      assert.match(panel.headers.get('content-type') ?? '', /text\/html/);
    });

    it('logs JSON lines only, without the shared secret', async () => {
      const app = await request<{ sharedSecret: string }>(`${emulator.baseUrl}/_emulator/apps/keepsake`, 'GET');
      assert.ok(app.body.sharedSecret);
      for (const instance of [a, b]) {
        const lines = instance.output().split('\n').filter(Boolean);
        assert.ok(lines.length > 0);
        for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `not JSON: ${line}`);
        assert.ok(!instance.output().includes(app.body.sharedSecret), 'the shared secret is in the logs');
      }
    });

    it('on SIGTERM stops accepting, finishes the request in flight, then exits 0', async () => {
      const body = JSON.stringify({ viewMode: 'focus' });
      // Expect: 100-continue: b answers "continue" once it has taken the request, before the body.
      const request = httpRequest(`${b.url}/api/preferences`, {
        method: 'PATCH',
        headers: {
          Authorization: `JWT ${await tokenFor(bob)}`,
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
          Expect: '100-continue',
        },
      });
      const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
        request.on('response', (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, text }));
        });
        request.on('error', reject);
      });
      await new Promise<void>((resolve) => request.once('continue', () => resolve()));
      b.child.kill('SIGTERM');
      // Stopped accepting: a new connection is refused while the first request is still open.
      for (;;) {
        try {
          await fetch(`${b.url}/healthz`);
        } catch {
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      request.end(body);
      const reply = await answered;
      assert.equal(reply.status, 200, reply.text);
      assert.equal(await b.exited, 0);
      await eventually(
        'the write finished during shutdown is kept',
        reads(a, bob, (v) => v.viewMode === 'focus'),
      );
    });

    it('on SIGTERM lets the writes of clients that left end before it closes the database: the one under way lands, then exits 0', async () => {
      // Each Confluence call takes 300 ms: five writes of one user queue behind each other for
      // seconds. The first PUT is marked, so the test sees when a write is under way.
      await request(`${emulator.baseUrl}/_emulator/faults`, 'POST', { latencyMs: 300, slowNext: { method: 'PUT', latencyMs: 300 } });
      await request(`${emulator.baseUrl}/_emulator/requests`, 'DELETE');
      const token = await tokenFor(alice);
      const left = new AbortController();
      const writes = Array.from({ length: 5 }, (_, i) =>
        fetch(`${a.url}/api/profile`, {
          method: 'PUT',
          headers: { Authorization: `JWT ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ note: `queued ${i}` }),
          signal: left.signal,
        }).catch(() => undefined),
      );
      await eventually(
        'a write is under way',
        async () => (await request<{ slowNext: unknown }>(`${emulator.baseUrl}/_emulator/faults`, 'GET')).body.slowNext === null,
      );
      // The clients leave: the HTTP server stops waiting for these requests, which are still queued.
      left.abort();
      await Promise.all(writes);
      try {
        assert.equal(await a.stop('SIGTERM'), 0, a.output());
        // Each queued write ended its own way (the one under way written, the rest dropped as
        // answered): none met a closed database.
        const errors = a
          .output()
          .split('\n')
          .filter((line) => line.startsWith('{') && (JSON.parse(line) as { level: number }).level >= 50);
        assert.deepEqual(errors, [], 'no error while shutting down');
        assert.doesNotMatch(a.output(), /getConnection|connection manager was closed/);
        const log = await request<{ method: string; path: string; status: number }[]>(`${emulator.baseUrl}/_emulator/requests`, 'GET');
        const puts = log.body.filter((e) => e.method === 'PUT' && e.path.includes('/property/keepsake-'));
        assert.ok(puts.length >= 1 && puts.every((e) => e.status >= 200 && e.status < 300), JSON.stringify(puts));
      } finally {
        await request(`${emulator.baseUrl}/_emulator/faults`, 'DELETE');
      }
    });
  });

  describe("production's host whitelist", function () {
    it('refuses an install from a site outside *.atlassian.net when no extra entry allows it', async function () {
      const databaseUrl = await freshPostgres(this);
      const emulator = await startEmulator({ port: 0 });
      const port = await freePort();
      const instance = await startProductionInstance(port, {
        DATABASE_URL: databaseUrl,
        KEEPSAKE_DATA_KEY: DATA_KEY,
        AC_LOCAL_BASE_URL: `http://localhost:${port}`,
        CONNECT_KEYS_CDN_URL: emulator.keysUrl,
      });
      try {
        const installed = await request<{ message?: string }>(`${emulator.baseUrl}/_emulator/apps`, 'POST', {
          descriptorUrl: `${instance.url}/atlassian-connect.json`,
        });
        assert.equal(installed.status, 400, JSON.stringify(installed.body));
      } finally {
        await instance.stop();
        await emulator.close();
      }
    });
  });
});
