// What a load balancer and an eager installer see while Keepsake cannot serve yet: during
// start-up every request is a 503 STARTING with Retry-After (here, start-up waits for the schema
// lock another instance holds), and /readyz is a 503 NOT_READY while the database does not
// answer, ready again once it does. On Postgres, each test on a database of its own.
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { startEmulator } from '../../emulator';
import { SCHEMA_LOCK } from '../../lib/database/schema-lock';
import { startServer, type RunningKeepsake } from '../../server';
import { freePort } from '../support/keepsake-process';
import { keepsakeSettings, request, type Emulator } from '../support/keepsake-stack';
import { freshPostgres } from '../support/postgres-database';
import { eventually } from '../support/eventually';

describe('readiness (Postgres)', function () {
  this.timeout(60_000);
  let emulator: Emulator;
  let databaseUrl: string;
  let keepsake: RunningKeepsake | undefined;
  let holder: Client | undefined;

  beforeEach(async function () {
    databaseUrl = await freshPostgres(this);
    emulator = await startEmulator({ port: 0 });
  });
  afterEach(async () => {
    await holder?.end().catch(() => undefined);
    holder = undefined;
    await keepsake?.close();
    keepsake = undefined;
    await emulator?.close();
  });

  it('answers 503 STARTING with Retry-After to every request until start-up is done, then serves', async () => {
    // Another instance's schema set-up holds the lock: this one waits for it, already listening.
    holder = new Client({ connectionString: databaseUrl });
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock($1)', [SCHEMA_LOCK]);
    const port = await freePort();
    const starting = startServer(keepsakeSettings(emulator, { PORT: port, DATABASE_URL: databaseUrl }));
    const url = `http://localhost:${port}`;
    await eventually('Keepsake listens', async () => (await fetch(`${url}/healthz`).catch(() => undefined)) !== undefined);
    for (const path of ['/healthz', '/readyz', '/api/preferences', '/atlassian-connect.json']) {
      const reply = await request<{ code: string; message: string }>(`${url}${path}`, 'GET');
      assert.equal(reply.status, 503, `${path} answers while starting`);
      assert.equal(reply.body.code, 'STARTING', path);
      assert.match(reply.body.message, /starting; try again/);
      assert.equal(reply.headers.get('retry-after'), '1', path);
    }
    await holder.query('SELECT pg_advisory_unlock($1)', [SCHEMA_LOCK]);
    keepsake = await starting;
    assert.equal((await request(`${url}/readyz`, 'GET')).status, 200);
    assert.equal((await request(`${url}/atlassian-connect.json`, 'GET')).status, 200);
  });

  it('answers /readyz 503 NOT_READY while the database does not answer, and 200 once it does again', async () => {
    keepsake = await startServer(keepsakeSettings(emulator, { DATABASE_URL: databaseUrl }));
    assert.equal((await request(`${keepsake.url}/readyz`, 'GET')).status, 200);
    const name = new URL(databaseUrl).pathname.slice(1);
    const admin = new Client({ connectionString: databaseUrl.replace(`/${name}`, '/postgres') });
    await admin.connect();
    try {
      // No session may connect (superusers neither), and the ones Keepsake holds are cut.
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
      let down = await request<{ code: string; message: string }>(`${keepsake.url}/readyz`, 'GET');
      await eventually('/readyz says the database does not answer', async () => {
        down = await request<{ code: string; message: string }>(`${keepsake!.url}/readyz`, 'GET');
        return down.status === 503;
      });
      assert.equal(down.body.code, 'NOT_READY');
      assert.match(down.body.message, /database does not answer/);
      assert.equal((await request(`${keepsake.url}/healthz`, 'GET')).status, 200, 'the process itself still answers');
    } finally {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    await eventually('/readyz is ready again', async () => (await request(`${keepsake!.url}/readyz`, 'GET')).status === 200);
  });
});
