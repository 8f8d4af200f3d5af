/**
 * Records as Confluence user properties (docs/platform-facts.md §1): one property per record,
 * keyed `keepsake-{name}`. User properties have no upsert and no version, so a write is
 * PUT (update), then POST (create) when PUT says 404, then PUT again when POST lost a race (409).
 */
import type { Acting, ConfluenceClient } from '../confluence/client';
import { expectSuccess } from '../confluence/expect-success';
import { parseReply, userPropertyKeysReply, userPropertyReply } from '../confluence/replies';
import type { JsonObject, RecordStore } from './record-store';

const KEY_PREFIX = 'keepsake-';
const PAGE_SIZE = 25; // the documented maximum `limit`
// A 403 or 404 on a user's own property means the API is closed to the app on this site.
const UNAVAILABLE = { onForbiddenOrMissing: 'USER_PROPERTIES_UNAVAILABLE' } as const;

export class UserPropertyRecords implements RecordStore {
  readonly backend = 'user-properties' as const;

  constructor(
    private readonly confluence: ConfluenceClient,
    readonly maxRecordChars: number,
  ) {}

  async read(accountId: string, name: string, acting: Acting): Promise<JsonObject | undefined> {
    const reply = await this.confluence.send({ method: 'GET', path: this.path(accountId, name), acting });
    if (reply.status === 404) return undefined;
    expectSuccess(reply, 'read a user property', UNAVAILABLE);
    // A value that is not an object is not Keepsake's: read as a record that fails its check.
    const { value } = parseReply(userPropertyReply, reply, 'read a user property');
    return isObject(value) ? value : {};
  }

  async write(accountId: string, name: string, value: JsonObject, acting: Acting): Promise<void> {
    const path = this.path(accountId, name);
    const body = { value };
    let reply = await this.confluence.send({ method: 'PUT', path, body, acting });
    if (reply.status === 404) {
      reply = await this.confluence.send({ method: 'POST', path, body, acting });
      if (reply.status === 409) {
        reply = await this.confluence.send({ method: 'PUT', path, body, acting });
      }
    }
    expectSuccess(reply, 'save a user property', UNAVAILABLE);
  }

  async create(accountId: string, name: string, value: JsonObject, acting: Acting): Promise<boolean> {
    const path = this.path(accountId, name);
    const body = { value };
    let reply = await this.confluence.send({ method: 'POST', path, body, acting });
    const existed = reply.status === 409;
    if (existed) reply = await this.confluence.send({ method: 'PUT', path, body, acting });
    expectSuccess(reply, 'create a user property', UNAVAILABLE);
    return !existed;
  }

  async remove(accountId: string, name: string, acting: Acting): Promise<void> {
    const reply = await this.confluence.send({ method: 'DELETE', path: this.path(accountId, name), acting });
    if (reply.status !== 404) expectSuccess(reply, 'delete a user property', UNAVAILABLE);
  }

  async list(accountId: string, acting: Acting): Promise<string[]> {
    const names: string[] = [];
    for (let start = 0; ; start += PAGE_SIZE) {
      const reply = await this.confluence.send({
        method: 'GET',
        path: `${this.base(accountId)}?start=${start}&limit=${PAGE_SIZE}`,
        acting,
      });
      if (reply.status === 404) return names;
      expectSuccess(reply, 'list user properties', UNAVAILABLE);
      const { results } = parseReply(userPropertyKeysReply, reply, 'list user properties');
      for (const { key } of results) {
        if (key.startsWith(KEY_PREFIX)) names.push(key.slice(KEY_PREFIX.length));
      }
      if (results.length < PAGE_SIZE) return names;
    }
  }

  private base(accountId: string): string {
    return `/rest/api/user/${encodeURIComponent(accountId)}/property`;
  }

  private path(accountId: string, name: string): string {
    return `${this.base(accountId)}/${KEY_PREFIX}${name}`;
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
