// A database of its own for each Postgres test, on the server DATABASE_URL names: no test meets
// rows another left behind (a storage move of a site long gone, an advisory lock of a job),
// however the suites are ordered. Each is dropped when the run ends; one a killed run left is
// dropped by the next run.
import { Client } from 'pg';

const PREFIX = 'keepsake_t_';
const made = new Set<string>();
let sweptStale = false;

/** The same server as DATABASE_URL, another database on it. */
function databaseOnServer(name: string): string {
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${name}`;
  return url.toString();
}

async function onServer<T>(task: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseOnServer('postgres') });
  await client.connect();
  try {
    return await task(client);
  } finally {
    await client.end();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Databases of test runs whose process is gone. */
async function sweepStale(client: Client): Promise<void> {
  const rows = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${PREFIX}%`]);
  for (const { datname } of rows.rows) {
    const pid = Number(/^keepsake_t_(\d+)_/.exec(datname)?.[1]);
    if (pid && pid !== process.pid && !alive(pid)) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  }
}

/** Skips the suite, saying why, when no Postgres server is named (DATABASE_URL). */
export function requirePostgres(suite: Mocha.Context): void {
  if (!process.env.DATABASE_URL) {
    console.log('      (skipped: set DATABASE_URL to a Postgres server; .ci/run does)');
    suite.skip();
  }
}

/** An empty database of this test's own, by URL (the suite is skipped without DATABASE_URL). */
export async function freshPostgres(suite: Mocha.Context): Promise<string> {
  requirePostgres(suite);
  return createDatabase();
}

export async function createDatabase(): Promise<string> {
  const name = `${PREFIX}${process.pid}_${made.size + 1}_${Date.now().toString(36)}`;
  await onServer(async (client) => {
    if (!sweptStale) {
      sweptStale = true;
      await sweepStale(client);
    }
    await client.query(`CREATE DATABASE ${name}`);
  });
  made.add(name);
  return databaseOnServer(name);
}

export async function dropDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  if (!made.delete(name)) return;
  await onServer((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** Root hook (.mocharc.json requires this file): what the run made, dropped at its end. */
export const mochaHooks = {
  async afterAll(): Promise<void> {
    if (made.size === 0) return;
    await onServer(async (client) => {
      for (const name of made) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    });
    made.clear();
  },
};
