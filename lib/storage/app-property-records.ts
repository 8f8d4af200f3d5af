/**
 * Records as Connect app properties (docs/platform-facts.md §2), for sites where user
 * properties are not available. App properties are readable by every user of the app and
 * their keys are listed, so the account id never appears in a key: it is replaced by a
 * keyed hash (HMAC with the site's secret key), `u-{hash}-{name}`. The content arrives here
 * already encrypted (RecordEnvelope), as on every backend; values an earlier version
 * encrypted here are unwrapped on read (LegacyAppPropertyCipher).
 */
import { createHmac } from 'node:crypto';
import { KeepsakeError } from '../errors';
import { AS_APP, type ConfluenceClient } from '../confluence/client';
import { expectSuccess } from '../confluence/expect-success';
import { appPropertyKeysReply, appPropertyReply, parseReply } from '../confluence/replies';
import { LegacyAppPropertyCipher } from './legacy-app-property-cipher';
import type { JsonObject, RecordStore } from './record-store';

export class AppPropertyRecords implements RecordStore {
  readonly backend = 'app-properties' as const;
  private readonly legacyCipher: LegacyAppPropertyCipher;

  constructor(
    private readonly confluence: ConfluenceClient,
    private readonly appKey: string,
    private readonly siteKey: Buffer,
    readonly maxRecordChars: number,
  ) {
    this.legacyCipher = new LegacyAppPropertyCipher(siteKey);
  }

  // App properties belong to the app, not to a user: every call acts as the app.

  async read(accountId: string, name: string): Promise<JsonObject | undefined> {
    const reply = await this.confluence.send({ method: 'GET', path: this.path(accountId, name), acting: AS_APP });
    if (reply.status === 404) return undefined;
    expectSuccess(reply, 'read an app property');
    const { value } = parseReply(appPropertyReply, reply, 'read an app property');
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const stored = value as JsonObject;
    // An old value that no longer decrypts reads as an empty record, which fails its check.
    return LegacyAppPropertyCipher.matches(stored) ? (this.legacyCipher.decrypt(stored, this.key(accountId, name)) ?? {}) : stored;
  }

  async write(accountId: string, name: string, value: JsonObject): Promise<void> {
    const reply = await this.confluence.send({ method: 'PUT', path: this.path(accountId, name), body: value, acting: AS_APP });
    if (reply.status === 400 && /limit|maximum|too many/i.test(JSON.stringify(reply.body ?? ''))) {
      throw new KeepsakeError(
        'STORAGE_FULL',
        'Confluence refused another app property for Keepsake on this site (its property limit is reached). A site admin can switch the storage mode to user properties.',
        { confluenceStatus: reply.status },
      );
    }
    expectSuccess(reply, 'save an app property');
  }

  /** App properties have an upsert and do not say whether the key existed: one PUT. */
  async create(accountId: string, name: string, value: JsonObject): Promise<boolean> {
    await this.write(accountId, name, value);
    return true;
  }

  async remove(accountId: string, name: string): Promise<void> {
    const reply = await this.confluence.send({ method: 'DELETE', path: this.path(accountId, name), acting: AS_APP });
    if (reply.status !== 404) expectSuccess(reply, 'delete an app property');
  }

  async list(accountId: string): Promise<string[]> {
    const reply = await this.confluence.send({ method: 'GET', path: this.base(), acting: AS_APP });
    expectSuccess(reply, 'list app properties');
    const prefix = this.prefix(accountId);
    return parseReply(appPropertyKeysReply, reply, 'list app properties')
      .keys.map(({ key }) => key)
      .filter((key) => key.startsWith(prefix))
      .map((key) => key.slice(prefix.length));
  }

  private base(): string {
    return `/rest/atlassian-connect/1/addons/${encodeURIComponent(this.appKey)}/properties`;
  }

  private prefix(accountId: string): string {
    const hash = createHmac('sha256', this.siteKey).update(`account:${accountId}`).digest('hex').slice(0, 32);
    return `u-${hash}-`;
  }

  private key(accountId: string, name: string): string {
    return `${this.prefix(accountId)}${name}`;
  }

  private path(accountId: string, name: string): string {
    return `${this.base()}/${this.key(accountId, name)}`;
  }
}
