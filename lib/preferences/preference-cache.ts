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
import { Op, type Transaction } from 'sequelize';
import type { ChangeFeed } from '../database/change-feed';
import type { Models } from '../database/models';
import { LruMap } from '../memory/lru-map';
import type { LoadedDocument, StoredDocument } from '../storage/document-store';
import type { Backend } from '../storage/record-store';

export interface CachedPreferences {
  backend: Backend;
  /** The last copy known good; undefined when the user has nothing stored. */
  document?: StoredDocument;
  gen: number;
  chunks: string[];
  /** Records found changed outside Keepsake at the last read from Confluence. */
  tampered: string[];
  fetchedAt: Date;
}

export class PreferenceCache {
  private readonly memory: LruMap<string, CachedPreferences>;
  private changes = 0;

  constructor(
    private readonly models: Models,
    private readonly feed: ChangeFeed,
    memoryEntries = 10_000,
  ) {
    this.memory = new LruMap(memoryEntries);
    feed.subscribe((key) => {
      this.changes++;
      if (key === undefined) this.memory.clear();
      else this.memory.delete(key);
    });
  }

  async get(clientKey: string, accountId: string, tx?: Transaction): Promise<CachedPreferences | undefined> {
    const key = memoryKey(clientKey, accountId);
    // Under a user's lock (tx) the table is the truth: another instance may have just written.
    const remembered = tx || !this.feed.live ? undefined : this.memory.get(key);
    if (remembered) return remembered;
    const row = await this.models.cache.findOne({ where: { clientKey, accountId }, transaction: tx });
    if (!row) return undefined;
    const r = row.get();
    const cached: CachedPreferences = {
      backend: r.backend as Backend,
      ...(r.document ? { document: r.document as StoredDocument } : {}),
      gen: r.gen,
      chunks: (r.chunks as string[] | null) ?? [],
      tampered: (r.tampered as string[] | null) ?? [],
      fetchedAt: new Date(r.fetchedAt),
    };
    if (this.feed.live) this.memory.set(key, cached);
    return cached;
  }

  /** A counter of changes seen; a read that saw it move may hold an outdated copy. */
  epoch(): number {
    return this.changes;
  }

  /** Records a write Confluence accepted (under the user's lock): the new truth. */
  async record(clientKey: string, accountId: string, backend: Backend, stored: Stored, tx?: Transaction): Promise<void> {
    const fetchedAt = new Date();
    await this.models.cache.upsert(row(clientKey, accountId, backend, stored, fetchedAt), { transaction: tx });
    const key = memoryKey(clientKey, accountId);
    this.changes++;
    this.remember(key, entry(backend, stored, fetchedAt));
    await this.feed.publish(key, tx);
  }

  /**
   * Records what a read outside the lock found, unless a write recorded something newer
   * meanwhile (a higher generation): a slow read must not bring back an older copy.
   */
  async fill(clientKey: string, accountId: string, backend: Backend, stored: Stored, epochAtRead: number): Promise<CachedPreferences> {
    const fetchedAt = new Date();
    const [updated] = await this.models.cache.update(row(clientKey, accountId, backend, stored, fetchedAt), {
      // Same backend too: a read that started before a storage move must not point the row
      // back at the copy the move removed.
      where: { clientKey, accountId, backend, gen: { [Op.lte]: stored.gen } },
    });
    if (updated === 0) {
      await this.models.cache.bulkCreate([row(clientKey, accountId, backend, stored, fetchedAt)], { ignoreDuplicates: true });
    }
    const cached = entry(backend, stored, fetchedAt);
    if (this.changes === epochAtRead) this.remember(memoryKey(clientKey, accountId), cached);
    return cached;
  }

  private remember(key: string, cached: CachedPreferences): void {
    if (this.feed.live) this.memory.set(key, cached);
    else this.memory.delete(key);
  }

}

type Stored = Pick<LoadedDocument, 'document' | 'gen' | 'chunks' | 'tampered'>;

function row(clientKey: string, accountId: string, backend: Backend, stored: Stored, fetchedAt: Date) {
  return {
    clientKey,
    accountId,
    backend,
    document: stored.document ?? null,
    gen: stored.gen,
    chunks: stored.chunks,
    tampered: stored.tampered,
    fetchedAt,
  };
}

function entry(backend: Backend, stored: Stored, fetchedAt: Date): CachedPreferences {
  return {
    backend,
    ...(stored.document ? { document: stored.document } : {}),
    gen: stored.gen,
    chunks: stored.chunks,
    tampered: stored.tampered,
    fetchedAt,
  };
}

function memoryKey(clientKey: string, accountId: string): string {
  return `${clientKey} ${accountId}`;
}
