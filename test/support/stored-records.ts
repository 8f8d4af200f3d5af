// What Keepsake stored for a user, read straight from Confluence (the emulator's user
// properties), not through Keepsake: proof that the data is in Confluence. Records are
// ciphertext to everyone but Keepsake's server, so the test opens them with the site's key,
// as the server does (RecordEnvelope), taken from the running Keepsake.
import { Sequelize } from 'sequelize';
import { defineModels } from '../../lib/database/models';
import { DataCipher, parseDataKey } from '../../lib/secrets/data-cipher';
import { BucketCodec, type BucketContent } from '../../lib/storage/app-property-bucket-codec';
import { bucketOf } from '../../lib/storage/app-property-buckets';
import { AppPropertyEntryEnvelope } from '../../lib/storage/app-property-entry-envelope';
import { RecordEnvelope } from '../../lib/storage/record-envelope';
import type { JsonObject } from '../../lib/storage/record-store';
import { APP_KEY, type Stack } from './keepsake-stack';

/** The emulator's default user-property value limit, Keepsake's KEEPSAKE_MAX_RECORD_CHARS default. */
const MAX_RECORD_CHARS = 32_768;

/** The site's record envelope, from the key the running Keepsake holds. */
export async function envelopeOf(stack: Stack): Promise<RecordEnvelope> {
  const site = await stack.keepsake.keepsake.sites.get(stack.clientKey);
  if (!site) throw new Error(`Keepsake has no site ${stack.clientKey}`);
  return new RecordEnvelope(site.siteKey, MAX_RECORD_CHARS);
}

/** The raw value of one of the user's `keepsake-*` user properties, or undefined when there is none. */
export async function rawRecord(stack: Stack, accountId: string, name = 'main'): Promise<JsonObject | undefined> {
  const reply = await stack.apRequest<{ value: JsonObject }>(
    accountId,
    'GET',
    `/rest/api/user/${encodeURIComponent(accountId)}/property/keepsake-${name}`,
  );
  return reply.status === 200 ? reply.json.value : undefined;
}

/** The content of the user's record as Confluence holds it, opened and checked with the site's key. */
export async function openedRecord(stack: Stack, accountId: string, name = 'main'): Promise<JsonObject> {
  const raw = await rawRecord(stack, accountId, name);
  if (!raw) {
    const keys = await stack.apRequest(accountId, 'GET', `/rest/api/user/${encodeURIComponent(accountId)}/property?limit=25`);
    throw new Error(`No keepsake-${name} property for ${accountId}; the user has ${JSON.stringify(keys.json)}`);
  }
  const opened = (await envelopeOf(stack)).open(accountId, name, raw);
  if (!opened) throw new Error(`keepsake-${name} of ${accountId} does not open with the site's key`);
  return opened.content;
}

/**
 * The user's record as Confluence holds it in app properties: their bucket's pages read with
 * AP.request (as anyone may), the bucket opened with the site's key as the server does, and
 * the record inside opened. Undefined when the bucket holds nothing under that name for the user.
 */
export async function openedBucketRecord(stack: Stack, accountId: string, name = 'main'): Promise<JsonObject | undefined> {
  const site = await stack.keepsake.keepsake.sites.get(stack.clientKey);
  if (!site) throw new Error(`Keepsake has no site ${stack.clientKey}`);
  const get: ApGet = (path) => stack.apRequest(accountId, 'GET', path);
  const bucket = bucketOf(site.siteKey, accountId);
  // A bucket nobody is left in is removed: it holds nothing of anyone's.
  if ((await get(`/rest/atlassian-connect/1/addons/${APP_KEY}/properties/kb-${bucket}.0`)).status === 404) return undefined;
  const content = await openedBucket(get, site.siteKey, bucket);
  const stored = content.members[accountId]?.[name];
  return stored && new AppPropertyEntryEnvelope(site.siteKey, MAX_RECORD_CHARS).open(accountId, name, stored)?.content;
}

/** Reads a path of Confluence's REST API as some user's iframe would (AP.request). */
export type ApGet = (path: string) => Promise<{ status: number; json: unknown }>;

/** One app-property bucket as Confluence holds it: its pages read with AP.request, opened with the site's key as the server does. */
export async function openedBucket(get: ApGet, siteKey: Buffer, bucket: number): Promise<BucketContent> {
  const base = `/rest/atlassian-connect/1/addons/${APP_KEY}/properties/kb-${bucket}`;
  const pages: unknown[] = [];
  for (let page = 0; ; page++) {
    const reply = await get(`${base}.${page}`);
    if (reply.status !== 200) break;
    const value = (reply.json as { value: { of?: number } }).value;
    pages.push(value);
    if (page + 1 >= (value.of ?? 1)) break;
  }
  const content = new BucketCodec(siteKey, MAX_RECORD_CHARS).open(bucket, pages);
  if (!content) throw new Error(`bucket ${bucket} does not open with the site's key`);
  return content;
}

/**
 * A site's key as Keepsake keeps it in its database (sealed with the data key), for tests
 * where Keepsake runs in processes of its own and cannot be asked.
 */
export async function siteKeyInDatabase(databaseUrl: string, dataKey: string, clientKey: string): Promise<Buffer> {
  const sequelize = new Sequelize(databaseUrl, { logging: false });
  try {
    const row = await defineModels(sequelize, new DataCipher(parseDataKey(dataKey))).sites.findByPk(clientKey);
    if (!row) throw new Error(`no site ${clientKey} in the database`);
    return Buffer.from(row.get().siteKey, 'base64');
  } finally {
    await sequelize.close();
  }
}
