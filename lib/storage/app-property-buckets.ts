/**
 * Records in app properties, packed: every user's records live in one of BUCKETS buckets,
 * chosen by a keyed hash of the account id (HMAC with the site's secret key), and a bucket is
 * stored as a few full-size app properties (`kb-{bucket}.{page}`) holding it compressed,
 * encrypted and sealed as a whole (BucketCodec). One property per user record let a site hold
 * about 70–100 users under Confluence's 100-properties-per-app cap; packed, 5,000 users of
 * typical size fit in about 80 (docs/performance.md, "App-property capacity").
 *
 * - Reading a user's records costs one GET per page of their bucket (one, or two on a full
 *   site), once per store: main and chunks come from the same copy.
 * - Writes are read-modify-write of the whole bucket, serialised per bucket across instances,
 *   and based on the acknowledged copy in the database (AppPropertyBucketLedger). A bucket in
 *   Confluence that is not the acknowledged one — a late write of a writer that lost the lock,
 *   or a change made outside Keepsake — is put back from that copy and counted, so no user's
 *   acknowledged entry is ever reverted by someone else's write.
 * - Records of the earlier layout (one property per record, `u-{hash}-{name}`,
 *   AppPropertyRecords) are read while the user has nothing in their bucket, and moved into it,
 *   all of them and unchanged, on the user's next write; the old properties are removed once
 *   the bucket holding them is acknowledged.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { AS_APP, type ConfluenceClient } from '../confluence/client';
import { expectSuccess } from '../confluence/expect-success';
import { appPropertyReply, parseReply } from '../confluence/replies';
import { KeepsakeError } from '../errors';
import { BucketCodec, type BucketContent, type BucketPage } from './app-property-bucket-codec';
import type { AcknowledgedBucket, AppPropertyBucketLedger } from './app-property-bucket-ledger';
import { isEntry } from './app-property-entry-envelope';
import { AppPropertyRecords } from './app-property-records';
import type { JsonObject, RecordStore } from './record-store';

/** Buckets per site: about 125 typical users each at 5,000 users, two pages (docs/performance.md). */
export const BUCKETS = 40;

/** A user's bucket: a keyed hash of the account id, so no one without the site's key can tell whose it is. */
export function bucketOf(siteKey: Buffer, accountId: string): number {
  return createHmac('sha256', siteKey).update(`bucket:${accountId}`).digest().readUInt32BE(0) % BUCKETS;
}

/** A bucket that exists in Confluence but does not open, with no acknowledged copy to put back. */
const UNREADABLE = Symbol('unreadable');
type Loaded = BucketContent | undefined | typeof UNREADABLE;

export interface BucketSite {
  clientKey: string;
  appKey: string;
  siteKey: Buffer;
}

export class AppPropertyBuckets implements RecordStore {
  readonly backend = 'app-properties' as const;
  private readonly codec: BucketCodec;
  /** The earlier one-property-per-record layout, read until each user is moved. */
  private readonly oldLayout: AppPropertyRecords;
  /** Buckets this store has read: one user's main and chunks come from one copy. */
  private readonly loaded = new Map<number, Promise<Loaded>>();
  private readonly oldNames = new Map<string, Promise<string[]>>();

  constructor(
    private readonly confluence: ConfluenceClient,
    private readonly site: BucketSite,
    readonly maxRecordChars: number,
    private readonly ledger: AppPropertyBucketLedger,
    /** Called for each bucket put back from the acknowledged copy (the site's figures). */
    private readonly countRestore: () => void,
  ) {
    this.codec = new BucketCodec(site.siteKey, maxRecordChars);
    this.oldLayout = new AppPropertyRecords(confluence, site.appKey, site.siteKey, maxRecordChars);
  }

  async read(accountId: string, name: string): Promise<JsonObject | undefined> {
    const content = await this.load(this.bucketOf(accountId));
    // Nothing can be told about a bucket that does not open: every record fails its check.
    if (content === UNREADABLE) return {};
    const records = content?.members[accountId];
    if (records) return records[name];
    if (!(await this.oldRecordNames(accountId)).includes(name)) return undefined;
    const old = await this.oldLayout.read(accountId, name);
    // An entry is plain: outside a sealed bucket it is someone's forgery.
    return old && isEntry(old) ? {} : old;
  }

  async write(accountId: string, name: string, value: JsonObject): Promise<void> {
    await this.change(accountId, (records) => {
      records[name] = value;
    });
  }

  async create(accountId: string, name: string, value: JsonObject): Promise<boolean> {
    return this.change(accountId, (records) => {
      const existed = name in records;
      records[name] = value;
      return !existed;
    });
  }

  async remove(accountId: string, name: string): Promise<void> {
    await this.change(accountId, (records) => {
      delete records[name];
    });
  }

  async list(accountId: string): Promise<string[]> {
    const content = await this.load(this.bucketOf(accountId));
    const inBucket = content && content !== UNREADABLE ? Object.keys(content.members[accountId] ?? {}) : [];
    return [...new Set([...inBucket, ...(await this.oldRecordNames(accountId))])];
  }

  bucketOf(accountId: string): number {
    return bucketOf(this.site.siteKey, accountId);
  }

  /**
   * Changes the user's records in their bucket, under the bucket's lock, from the acknowledged
   * copy; moves the user's records of the earlier layout in on the way, and removes those once
   * the bucket is acknowledged.
   */
  private async change<T>(accountId: string, edit: (records: Record<string, JsonObject>) => T): Promise<T> {
    const bucket = this.bucketOf(accountId);
    const { result, moved } = await this.ledger.run(this.site.clientKey, bucket, async (acknowledged, record) => {
      const { base, pagesInConfluence } = await this.lockedBase(bucket, acknowledged);
      const members = { ...base.members };
      let moved: string[] = [];
      let records = members[accountId] ? { ...members[accountId] } : undefined;
      if (!records) {
        ({ records, moved } = await this.oldRecords(accountId));
      }
      const result = edit(records);
      if (Object.keys(records).length > 0) members[accountId] = records;
      else delete members[accountId];
      const content: BucketContent = { gen: base.gen + 1, writer: randomBytes(6).toString('hex'), members };
      const state = await this.store(bucket, content, pagesInConfluence);
      await record(state);
      this.loaded.set(bucket, Promise.resolve(Object.keys(members).length > 0 ? content : undefined));
      return { result, moved };
    });
    for (const name of moved) await this.oldLayout.remove(accountId, name);
    if (moved.length > 0) this.oldNames.set(accountId, Promise.resolve([]));
    return result;
  }

  /** What a write starts from: the acknowledged copy, or Confluence's when there is none yet. */
  private async lockedBase(
    bucket: number,
    acknowledged: AcknowledgedBucket | undefined,
  ): Promise<{ base: BucketContent; pagesInConfluence: number }> {
    const empty: BucketContent = { gen: 0, writer: '', members: {} };
    if (acknowledged) {
      const base = this.codec.open(bucket, acknowledged.pages);
      if (!base)
        throw new KeepsakeError('INTERNAL', 'Keepsake could not open its own copy of an app-property bucket (was the site key changed?).');
      // A late writer may have left more pages than the acknowledged copy has.
      const pages = await this.getPages(bucket);
      return { base, pagesInConfluence: Math.max(pages.length, acknowledged.pages.length) };
    }
    const pages = await this.getPages(bucket);
    // A bucket that does not open and has no acknowledged copy is lost already: start anew.
    return { base: this.codec.open(bucket, pages) ?? empty, pagesInConfluence: pages.length };
  }

  /** Writes the bucket's pages (new pages first: the cap refuses those), and removes pages no longer used. */
  private async store(bucket: number, content: BucketContent, pagesInConfluence: number): Promise<AcknowledgedBucket | undefined> {
    if (Object.keys(content.members).length === 0) {
      for (let page = 0; page < pagesInConfluence; page++) await this.deletePage(bucket, page);
      return undefined;
    }
    const compressed = this.codec.compress(content);
    const pages = this.codec.seal(bucket, compressed, this.codec.pagesFor(compressed.length, pagesInConfluence));
    const order = [...pages.slice(pagesInConfluence), ...pages.slice(0, pagesInConfluence)];
    for (const page of order) await this.putPage(bucket, page);
    for (let page = pages.length; page < pagesInConfluence; page++) await this.deletePage(bucket, page);
    return { gen: content.gen, writer: content.writer, pages };
  }

  /** The user's records of the earlier layout, as they are stored (unwrapped from the old cipher), and their names. */
  private async oldRecords(accountId: string): Promise<{ records: Record<string, JsonObject>; moved: string[] }> {
    const moved = await this.oldRecordNames(accountId);
    const records: Record<string, JsonObject> = {};
    for (const name of moved) {
      const value = await this.oldLayout.read(accountId, name);
      // A forged plain entry is kept unopenable, so it still fails its check.
      if (value) records[name] = isEntry(value) ? {} : value;
    }
    return { records, moved };
  }

  private oldRecordNames(accountId: string): Promise<string[]> {
    let names = this.oldNames.get(accountId);
    if (!names) {
      names = this.oldLayout.list(accountId);
      this.oldNames.set(accountId, names);
      names.catch(() => this.oldNames.delete(accountId));
    }
    return names;
  }

  private load(bucket: number): Promise<Loaded> {
    let loaded = this.loaded.get(bucket);
    if (!loaded) {
      loaded = this.loadFresh(bucket);
      this.loaded.set(bucket, loaded);
      loaded.catch(() => this.loaded.delete(bucket));
    }
    return loaded;
  }

  /** The bucket as Confluence holds it, checked against the acknowledged copy, which is put back when they differ. */
  private async loadFresh(bucket: number): Promise<Loaded> {
    const acknowledged = await this.ledger.acknowledged(this.site.clientKey, bucket);
    const pages = await this.getPages(bucket, acknowledged?.pages.length);
    const stored = pages.length > 0 ? this.codec.open(bucket, pages) : undefined;
    if (!acknowledged) return pages.length > 0 ? (stored ?? UNREADABLE) : undefined;
    if (stored && stored.gen === acknowledged.gen && stored.writer === acknowledged.writer) return stored;
    await this.putBack(bucket, acknowledged);
    return this.codec.open(bucket, acknowledged.pages) ?? UNREADABLE;
  }

  /** Writes the acknowledged copy over what Confluence holds, unless a newer one was acknowledged meanwhile. */
  private async putBack(bucket: number, seen: AcknowledgedBucket): Promise<void> {
    await this.ledger.run(this.site.clientKey, bucket, async (acknowledged) => {
      if (!acknowledged || acknowledged.gen !== seen.gen || acknowledged.writer !== seen.writer) return;
      const inConfluence = (await this.getPages(bucket)).length;
      for (const page of acknowledged.pages) await this.putPage(bucket, page);
      for (let page = acknowledged.pages.length; page < inConfluence; page++) await this.deletePage(bucket, page);
      this.countRestore();
    });
  }

  /** The bucket's pages in order; `count` when known, otherwise as many as page 0 says. */
  private async getPages(bucket: number, count?: number): Promise<unknown[]> {
    const first = await this.getPage(bucket, 0);
    if (first === undefined) return [];
    const of = count ?? (first as Partial<BucketPage>).of ?? 1;
    const total = Number.isInteger(of) && of >= 1 && of <= 100 ? of : 1;
    const rest = await Promise.all(Array.from({ length: total - 1 }, (_, i) => this.getPage(bucket, i + 1)));
    return [first, ...rest.filter((page) => page !== undefined)];
  }

  private async getPage(bucket: number, page: number): Promise<unknown> {
    const reply = await this.confluence.send({ method: 'GET', path: this.path(bucket, page), acting: AS_APP });
    if (reply.status === 404) return undefined;
    expectSuccess(reply, 'read an app property');
    return parseReply(appPropertyReply, reply, 'read an app property').value;
  }

  private async putPage(bucket: number, page: BucketPage): Promise<void> {
    const reply = await this.confluence.send({ method: 'PUT', path: this.path(bucket, page.page), body: page, acting: AS_APP });
    if (reply.status === 400 && /limit|maximum|too many/i.test(JSON.stringify(reply.body ?? ''))) {
      throw new KeepsakeError(
        'STORAGE_FULL',
        'Confluence refused another app property for Keepsake on this site: its limit of app properties per app is reached. ' +
          'Nothing was lost. A site admin can switch the storage mode to user properties, or remove other app properties of Keepsake’s.',
        { confluenceStatus: reply.status },
      );
    }
    expectSuccess(reply, 'save an app property');
  }

  private async deletePage(bucket: number, page: number): Promise<void> {
    const reply = await this.confluence.send({ method: 'DELETE', path: this.path(bucket, page), acting: AS_APP });
    if (reply.status !== 404) expectSuccess(reply, 'delete an app property');
  }

  private path(bucket: number, page: number): string {
    return `/rest/atlassian-connect/1/addons/${encodeURIComponent(this.site.appKey)}/properties/kb-${bucket}.${page}`;
  }
}
