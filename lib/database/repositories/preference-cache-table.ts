/**
 * The rows of keepsake_preference_cache (one per user and site): the write-through cache's
 * copies, and which backend each user's data is on. Rows come back as stored; the cache
 * (lib/preferences/preference-cache.ts) parses them.
 */
import { Op } from 'sequelize';
import { LockScope } from '../lock-scope';
import type { CacheRow, Models } from '../models';

export type CacheRowValues = Omit<CacheRow, 'document'> & { document: unknown };

export class PreferenceCacheTable {
  constructor(private readonly models: Pick<Models, 'cache'>) {}

  /** The user's row as stored (unparsed), or undefined. */
  async find(clientKey: string, accountId: string, scope?: LockScope): Promise<CacheRow | undefined> {
    const row = await this.models.cache.findOne({ where: { clientKey, accountId }, transaction: LockScope.transactionOf(scope) });
    return row?.get();
  }

  async save(values: CacheRowValues, scope?: LockScope): Promise<void> {
    await this.models.cache.upsert(values, { transaction: LockScope.transactionOf(scope) });
  }

  /**
   * Writes the row unless it holds a newer generation or another backend (then nothing
   * changes); inserts it when there is none yet.
   */
  async saveUnlessNewer(values: CacheRowValues): Promise<void> {
    const { clientKey, accountId, backend, gen } = values;
    const [updated] = await this.models.cache.update(values, { where: { clientKey, accountId, backend, gen: { [Op.lte]: gen } } });
    if (updated === 0) await this.models.cache.bulkCreate([values], { ignoreDuplicates: true });
  }

  async remove(clientKey: string, accountId: string, scope?: LockScope): Promise<void> {
    await this.models.cache.destroy({ where: { clientKey, accountId }, transaction: LockScope.transactionOf(scope) });
  }

  /** Every user of the site with a row, and when their copy was fetched. */
  async fetchedAt(clientKey: string): Promise<{ accountId: string; fetchedAt: Date }[]> {
    const rows = await this.models.cache.findAll({ where: { clientKey }, attributes: ['accountId', 'fetchedAt'], raw: true });
    // Raw rows skip the model's types: sqlite answers dates as strings.
    return (rows as unknown as { accountId: string; fetchedAt: Date | string }[]).map((r) => ({
      accountId: r.accountId,
      fetchedAt: new Date(r.fetchedAt),
    }));
  }

  async has(clientKey: string, accountId: string): Promise<boolean> {
    return (await this.models.cache.count({ where: { clientKey, accountId } })) > 0;
  }

  /** Users of the site whose row holds preferences. */
  countWithPreferences(clientKey: string): Promise<number> {
    return this.models.cache.count({ where: { clientKey, document: { [Op.ne]: null } } });
  }

  /** Up to `limit` users of the site not on `backend`, in account id order after `after`. */
  async accountsNotOn(clientKey: string, backend: string, after: string, limit: number): Promise<string[]> {
    const rows = await this.models.cache.findAll({
      where: { clientKey, backend: { [Op.ne]: backend }, accountId: { [Op.gt]: after } },
      attributes: ['accountId'],
      order: [['accountId', 'ASC']],
      limit,
    });
    return rows.map((r) => r.get().accountId);
  }

  countNotOn(clientKey: string, backend: string): Promise<number> {
    return this.models.cache.count({ where: { clientKey, backend: { [Op.ne]: backend } } });
  }
}
