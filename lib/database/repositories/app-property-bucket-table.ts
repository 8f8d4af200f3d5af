/**
 * The rows of keepsake_app_property_buckets (one per site and bucket): each bucket's
 * acknowledged generation, writer id and sealed pages (JSON, as stored in Confluence).
 */
import { LockScope } from '../lock-scope';
import type { AppPropertyBucketRow, Models } from '../models';

export class AppPropertyBucketTable {
  constructor(private readonly models: Pick<Models, 'appPropertyBuckets'>) {}

  async find(clientKey: string, bucket: number, scope?: LockScope): Promise<AppPropertyBucketRow | undefined> {
    const row = await this.models.appPropertyBuckets.findOne({ where: { clientKey, bucket }, transaction: LockScope.transactionOf(scope) });
    return row?.get();
  }

  async save(values: AppPropertyBucketRow, scope?: LockScope): Promise<void> {
    await this.models.appPropertyBuckets.upsert(values, { transaction: LockScope.transactionOf(scope) });
  }

  async remove(clientKey: string, bucket: number, scope?: LockScope): Promise<void> {
    await this.models.appPropertyBuckets.destroy({ where: { clientKey, bucket }, transaction: LockScope.transactionOf(scope) });
  }
}
