// A site whose data lives in app-property buckets, served by two Keepsake processes sharing one
// Postgres database: the set-up of the tests that make bucket mates write against each other.
import assert from 'node:assert/strict';
import { startEmulator } from '../../emulator';
import { newDataKey } from '../../lib/secrets/data-cipher';
import { request, type Emulator } from './keepsake-stack';
import { startKeepsakeProcess, type KeepsakeProcess } from './keepsake-process';
import { siteKeyInDatabase } from './stored-records';

export interface BucketSite {
  emulator: Emulator;
  a: KeepsakeProcess;
  b: KeepsakeProcess;
  /** The site's key, read from the database: what places a user in a bucket (bucketOf). */
  siteKey: Buffer;
  close(): Promise<void>;
}

/**
 * Two processes, Keepsake installed through the first, user properties switched off (so every
 * user's data goes to the buckets), and every read going to Confluence (cache TTL 0), so that
 * what is checked is what the buckets hold.
 */
export async function startBucketSite(databaseUrl: string): Promise<BucketSite> {
  const emulator = await startEmulator({ port: 0 });
  const dataKey = newDataKey();
  const env = {
    DATABASE_URL: databaseUrl,
    KEEPSAKE_DATA_KEY: dataKey,
    CONNECT_KEYS_CDN_URL: emulator.keysUrl,
    KEEPSAKE_OAUTH_SERVER_URL: emulator.oauthServerUrl,
    KEEPSAKE_CACHE_TTL_SECONDS: '0',
    KEEPSAKE_CONFLUENCE_TIMEOUT_MS: '20000',
  };
  const [a, b] = await Promise.all([startKeepsakeProcess(env), startKeepsakeProcess(env)]);
  const control = <T>(method: string, path: string, body?: unknown) => request<T>(`${emulator.baseUrl}/_emulator${path}`, method, body);
  const installed = await control<{ clientKey: string }>('POST', '/apps', { descriptorUrl: `${a.url}/atlassian-connect.json` });
  assert.equal(installed.status, 201, JSON.stringify(installed.body));
  await control('POST', '/faults', { userPropertiesOff: true });
  const siteKey = await siteKeyInDatabase(databaseUrl, dataKey, installed.body.clientKey);
  return {
    emulator,
    a,
    b,
    siteKey,
    async close() {
      await Promise.all([a.stop(), b.stop()]);
      await emulator.close();
    },
  };
}
