/**
 * Serialises schema set-up across instances: ACE's tables (its sequelize adapter runs
 * `CREATE TABLE IF NOT EXISTS` and `CREATE INDEX` as it is constructed, which two instances on
 * an empty database race on) and Keepsake's migrations. On Postgres the lock is a session
 * advisory lock on a connection of its own, opened for the set-up and closed after it (which
 * releases the lock), so it holds while ACE's and Keepsake's statements run on the pool's
 * connections; a process that dies holding it releases it with its connection. sqlite needs
 * no lock (one instance).
 */
import { Client } from 'pg';

/** An arbitrary constant ("keep"): the advisory lock key of schema set-up. */
export const SCHEMA_LOCK = 0x6b656570;

export async function withSchemaLock<T>(databaseUrl: string | undefined, task: () => Promise<T>): Promise<T> {
  if (!databaseUrl) return task();
  const client = new Client({ connectionString: databaseUrl });
  // A connection lost while the task runs must not crash the process (an 'error' event without
  // a listener would); the lock went with it, and the unlock below then fails harmlessly.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [SCHEMA_LOCK]);
    return await task();
  } finally {
    await client.end().catch(() => undefined);
  }
}
