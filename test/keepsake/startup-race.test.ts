// Instances started together on an empty Postgres database: schema set-up (ACE's tables and
// Keepsake's migrations) is serialised across instances, so none of them crashes; and a start
// that fails anyway is reported as one JSON log line.
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { freePort, startKeepsakeProcess, type KeepsakeProcess } from '../support/keepsake-process';
import { createDatabase, dropDatabase, requirePostgres } from '../support/postgres-database';

const ROUNDS = 10;
const INSTANCES = 3;
const DATA_KEY = Buffer.alloc(32, 7).toString('base64');

describe('instances started together on an empty database', function () {
  this.timeout(600_000);

  before(function () {
    requirePostgres(this);
  });

  it(`${INSTANCES} instances at once, ${ROUNDS} rounds, each on a fresh database: every instance starts, every table is made once`, async () => {
    const failures: string[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const databaseUrl = await createDatabase();
      const env = { DATABASE_URL: databaseUrl, KEEPSAKE_DATA_KEY: DATA_KEY };
      const started = await Promise.allSettled(Array.from({ length: INSTANCES }, () => startKeepsakeProcess(env)));
      const running = started.filter((s): s is PromiseFulfilledResult<KeepsakeProcess> => s.status === 'fulfilled').map((s) => s.value);
      for (const s of started) if (s.status === 'rejected') failures.push(`round ${round}: ${String(s.reason).slice(0, 600)}`);
      try {
        const client = new Client({ connectionString: databaseUrl });
        await client.connect();
        try {
          const migrations = await client.query<{ name: string }>('SELECT name FROM keepsake_schema_migrations');
          const names = migrations.rows.map((r) => r.name);
          assert.equal(new Set(names).size, names.length, `round ${round}: each migration recorded once`);
          assert.ok(names.length > 0, `round ${round}: migrations ran`);
          const tables = await client.query<{ table_name: string }>(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
          );
          const present = new Set(tables.rows.map((r) => r.table_name));
          for (const table of ['AddonSettings', 'InstallationClientKeys', 'ForgeSettings', 'keepsake_sites', 'keepsake_preference_cache']) {
            assert.ok(present.has(table), `round ${round}: ${table} exists`);
          }
        } finally {
          await client.end();
        }
        for (const instance of running) assert.equal((await fetch(`${instance.url}/readyz`)).status, 200);
      } finally {
        await Promise.all(running.map((r) => r.stop()));
        await dropDatabase(databaseUrl);
      }
    }
    assert.deepEqual(failures, [], `${failures.length} of ${ROUNDS * INSTANCES} instances crashed`);
  });

  it('a start that fails is logged as one JSON line, and the process exits 1', async () => {
    // Nothing listens on this port: the database cannot be reached.
    const env = { DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/nowhere`, KEEPSAKE_DATA_KEY: DATA_KEY };
    const error = await startKeepsakeProcess(env).then(
      () => assert.fail('Keepsake started without its database'),
      (e: unknown) => e as Error,
    );
    const output = error.message.replace(/^Keepsake exited with 1:\n/, '');
    assert.match(error.message, /^Keepsake exited with 1:/);
    const lines = output.split('\n').filter((l) => l.trim() !== '');
    assert.ok(lines.length >= 1, 'something was logged');
    const entries = lines.map((l) => JSON.parse(l) as { level: number; msg: string; service: string; err?: { message: string } });
    const fatal = entries.filter((e) => e.level >= 50);
    assert.equal(fatal.length, 1, output);
    assert.equal(fatal[0].service, 'keepsake');
    assert.match(fatal[0].msg, /could not start/);
    assert.match(fatal[0].err?.message ?? '', /ECONNREFUSED|connect/i);
  });
});
