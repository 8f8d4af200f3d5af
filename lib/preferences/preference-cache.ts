/**
 * The write-through cache of each user's preferences, in the app's database and so shared by
 * every instance. A page view reads it instead of Confluence while it is younger than the
 * staleness bound; writes go to Confluence first and land here only once Confluence took them.
 * A row also says on which backend the user's data lives, which is how a storage move finds
 * every user, and keeps the last copy that passed its seal when Confluence's copy did not.
 */
import type { Transaction } from 'sequelize';
import type { Models } from '../database/models';
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
  constructor(private readonly models: Models) {}

  async get(clientKey: string, accountId: string, tx?: Transaction): Promise<CachedPreferences | undefined> {
    const row = await this.models.cache.findOne({ where: { clientKey, accountId }, transaction: tx });
    if (!row) return undefined;
    const r = row.get();
    return {
      backend: r.backend as Backend,
      ...(r.document ? { document: r.document as StoredDocument } : {}),
      gen: r.gen,
      chunks: (r.chunks as string[] | null) ?? [],
      tampered: (r.tampered as string[] | null) ?? [],
      fetchedAt: new Date(r.fetchedAt),
    };
  }

  /** Records what Confluence holds now (a fresh read, or a write it accepted). */
  async put(
    clientKey: string,
    accountId: string,
    backend: Backend,
    loaded: Pick<LoadedDocument, 'document' | 'gen' | 'chunks' | 'tampered'>,
    tx?: Transaction,
  ): Promise<void> {
    await this.models.cache.upsert(
      {
        clientKey,
        accountId,
        backend,
        document: loaded.document ?? null,
        gen: loaded.gen,
        chunks: loaded.chunks,
        tampered: loaded.tampered,
        fetchedAt: new Date(),
      },
      { transaction: tx },
    );
  }

  /** Marks the row as needing a fresh read from Confluence. */
  async expire(clientKey: string, accountId: string, tx?: Transaction): Promise<void> {
    await this.models.cache.update({ fetchedAt: new Date(0) }, { where: { clientKey, accountId }, transaction: tx });
  }

  async accounts(clientKey: string, backend?: Backend): Promise<string[]> {
    const rows = await this.models.cache.findAll({
      where: backend ? { clientKey, backend } : { clientKey },
      attributes: ['accountId'],
    });
    return rows.map((row) => row.get('accountId') as string);
  }
}
