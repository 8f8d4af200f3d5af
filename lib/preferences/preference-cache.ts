/**
 * The write-through cache of each user's preferences, in the app's database and so shared by
 * every instance. A page view reads it instead of Confluence while it is younger than the
 * staleness bound; writes go to Confluence first and land here only once Confluence took them.
 * A row also says on which backend the user's data lives, which is how a storage move finds
 * every user, and keeps the last copy that passed its seal when Confluence's copy did not.
 *
 * In front of the table, each instance keeps the rows it used last in memory, so that a page
 * view costs neither a Confluence call nor a database query. A change made by another instance
 * reaches it through the change feed, which drops the copy at once.
 */
import { z } from 'zod';
import type { ChangeFeed } from '../database/change-feed';
import type { LockScope } from '../database/lock-scope';
import type { Models } from '../database/models';
import { PreferenceCacheTable, type CacheRowValues } from '../database/repositories/preference-cache-table';
import { LruMap } from '../memory/lru-map';
import type { Layout, LoadedDocument, StoredDocument } from '../storage/document-store';
import { BACKENDS, type Backend } from '../storage/record-store';
import { storedDocument, storedLayout } from '../storage/record-schemas';
import { systemClock, type Clock } from '../time/clock';

/** A row of the cache table, as this version reads it. */
const cacheRow = z.object({
  backend: z.enum(BACKENDS),
  document: storedDocument.nullable(),
  gen: z.number().int().min(0),
  writer: z.string().nullable(),
  chunks: z.unknown(),
  tampered: z.array(z.string()).nullable(),
  fetchedAt: z.coerce.date(),
});

export interface CachedPreferences {
  backend: Backend;
  /** The last copy known good; undefined when the user has nothing stored. */
  document?: StoredDocument;
  gen: number;
  /** The writer id of the record at `gen` (absent for records older than write fencing). */
  writer?: string;
  /** Where the record's items are; undefined for a record of an earlier layout (or a row written before layouts). */
  layout?: Layout;
  /** Records found changed outside Keepsake at the last read from Confluence. */
  tampered: string[];
  fetchedAt: Date;
}

export class PreferenceCache {
  private readonly memory: LruMap<string, CachedPreferences>;
  private changes = 0;
  private readonly table: PreferenceCacheTable;

  constructor(
    models: Pick<Models, 'cache'>,
    private readonly feed: ChangeFeed,
    /** The most bytes the in-memory copies may take (KEEPSAKE_MEMORY_CACHE_MB). */
    memoryBytes = 64 * 1024 * 1024,
    /** Dates each copy: its age decides when a read goes back to Confluence (PreferenceService). */
    private readonly clock: Clock = systemClock,
  ) {
    this.table = new PreferenceCacheTable(models);
    this.memory = new LruMap(memoryBytes, approximateBytes);
    feed.subscribe((key) => {
      this.changes++;
      if (key === undefined) this.memory.clear();
      else this.memory.delete(key);
    });
  }

  async get(clientKey: string, accountId: string, scope?: LockScope): Promise<CachedPreferences | undefined> {
    const key = memoryKey(clientKey, accountId);
    // Under a user's lock (scope) the table is the truth: another instance may have just written.
    const remembered = scope || !this.feed.live ? undefined : this.memory.get(key);
    if (remembered) return remembered;
    const row = await this.table.find(clientKey, accountId, scope);
    if (!row) return undefined;
    const parsed = cacheRow.safeParse(row);
    // A row this version cannot read stands for nothing: the user is read from Confluence afresh.
    if (!parsed.success) return undefined;
    const r = parsed.data;
    const layout = storedLayout.safeParse(r.chunks); // rows of earlier versions hold a list of names here
    const cached: CachedPreferences = {
      backend: r.backend,
      ...(r.document ? { document: r.document } : {}),
      gen: r.gen,
      ...(r.writer ? { writer: r.writer } : {}),
      ...(layout.success ? { layout: layout.data } : {}),
      tampered: r.tampered ?? [],
      fetchedAt: r.fetchedAt,
    };
    if (this.feed.live) this.memory.set(key, cached);
    return cached;
  }

  /** A counter of changes seen; a read that saw it move may hold an outdated copy. */
  epoch(): number {
    return this.changes;
  }

  /** Records a write Confluence accepted (under the user's lock): the new truth. */
  async record(clientKey: string, accountId: string, backend: Backend, stored: Stored, scope?: LockScope): Promise<void> {
    const fetchedAt = this.clock.now();
    await this.table.save(row(clientKey, accountId, backend, stored, fetchedAt), scope);
    const key = memoryKey(clientKey, accountId);
    this.changes++;
    this.remember(key, entry(backend, stored, fetchedAt));
    await this.feed.publish(key, scope);
  }

  /**
   * Records what a read outside the lock found, unless a write recorded something newer
   * meanwhile (a higher generation): a slow read must not bring back an older copy.
   */
  async fill(clientKey: string, accountId: string, backend: Backend, stored: Stored, epochAtRead: number): Promise<CachedPreferences> {
    const fetchedAt = this.clock.now();
    // Same backend too: a read that started before a storage move must not point the row
    // back at the copy the move removed.
    await this.table.saveUnlessNewer(row(clientKey, accountId, backend, stored, fetchedAt));
    const cached = entry(backend, stored, fetchedAt);
    if (this.changes === epochAtRead) this.remember(memoryKey(clientKey, accountId), cached);
    return cached;
  }

  /** Forgets the user (their data was erased), here and, through the change feed, on every instance. */
  async forget(clientKey: string, accountId: string, scope?: LockScope): Promise<void> {
    await this.table.remove(clientKey, accountId, scope);
    const key = memoryKey(clientKey, accountId);
    this.changes++;
    this.memory.delete(key);
    await this.feed.publish(key, scope);
  }

  private remember(key: string, cached: CachedPreferences): void {
    if (this.feed.live) this.memory.set(key, cached);
    else this.memory.delete(key);
  }
}

type Stored = Pick<LoadedDocument, 'document' | 'gen' | 'writer' | 'layout' | 'tampered'>;

function row(clientKey: string, accountId: string, backend: Backend, stored: Stored, fetchedAt: Date): CacheRowValues {
  return {
    clientKey,
    accountId,
    backend,
    document: stored.document ?? null,
    gen: stored.gen,
    writer: stored.writer ?? null,
    // The column keeps the layout (chunk names, tags and counts: no content); rows of earlier
    // versions hold a list of names here, read as "no layout".
    chunks: stored.layout ?? null,
    tampered: stored.tampered,
    fetchedAt,
  };
}

function entry(backend: Backend, stored: Stored, fetchedAt: Date): CachedPreferences {
  return {
    backend,
    ...(stored.document ? { document: stored.document } : {}),
    gen: stored.gen,
    ...(stored.writer ? { writer: stored.writer } : {}),
    ...(stored.layout ? { layout: stored.layout } : {}),
    tampered: stored.tampered,
    fetchedAt,
  };
}

function memoryKey(clientKey: string, accountId: string): string {
  return `${clientKey} ${accountId}`;
}

/**
 * About what a copy takes in memory: its JSON's length twice over (strings are UTF-16) and a
 * little for the object around it. Measured once, when the copy is kept; a user with 1,000
 * bookmarks weighs about 230 KB, one with a view mode about 0.5 KB.
 */
function approximateBytes(cached: CachedPreferences): number {
  return 2 * JSON.stringify(cached.document ?? null).length + 256;
}
