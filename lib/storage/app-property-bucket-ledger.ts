/**
 * The acknowledged state of each app-property bucket, and the lock that serialises its writes
 * across instances.
 *
 * A bucket write runs in a transaction of its own holding a Postgres advisory lock on the
 * bucket; the bucket's row (generation, writer id, sealed pages) is written in that transaction
 * after Confluence took the pages, so a writer whose session died cannot record its write: its
 * late pages differ from the row, and readers put the row's pages back. The writer usually
 * already holds a user's lock and its connection, so at most `maxHolders` bucket locks are
 * held per instance at once (a Semaphore), keeping user-lock holders + bucket-lock holders
 * below the pool's size: a holder always finds a connection for ACE's lookups. A bucket-lock
 * holder never waits for a user's lock, so the two cannot deadlock. sqlite is single-instance:
 * an in-process mutex is the lock there. The lock (lib/database/bucket-lock.ts) and the rows
 * (AppPropertyBucketTable) live in lib/database; the ledger sees the acknowledged state only.
 */
import { BucketLock, type LockDatabase } from '../database/bucket-lock';
import type { LockScope } from '../database/lock-scope';
import type { Models } from '../database/models';
import { AppPropertyBucketTable } from '../database/repositories/app-property-bucket-table';
import type { BucketPage } from './app-property-bucket-codec';

export interface AcknowledgedBucket {
  gen: number;
  writer: string;
  pages: BucketPage[];
}

/** What a task under the bucket's lock does: `record` saves the new acknowledged state. */
export type BucketTask<T> = (
  acknowledged: AcknowledgedBucket | undefined,
  record: (state: AcknowledgedBucket | undefined) => Promise<void>,
) => Promise<T>;

export class AppPropertyBucketLedger {
  private readonly lock: BucketLock;
  private readonly table: AppPropertyBucketTable;

  constructor(database: LockDatabase, models: Pick<Models, 'appPropertyBuckets'>, maxHolders: number) {
    this.lock = new BucketLock(database, maxHolders);
    this.table = new AppPropertyBucketTable(models);
  }

  /** The acknowledged state, read without the lock. */
  async acknowledged(clientKey: string, bucket: number, scope?: LockScope): Promise<AcknowledgedBucket | undefined> {
    const row = await this.table.find(clientKey, bucket, scope);
    if (!row) return undefined;
    const { gen, writer, pages } = row;
    return { gen, writer, pages: JSON.parse(pages) as BucketPage[] };
  }

  run<T>(clientKey: string, bucket: number, task: BucketTask<T>): Promise<T> {
    return this.lock.run(clientKey, bucket, (scope) => this.locked(clientKey, bucket, scope, task));
  }

  private async locked<T>(clientKey: string, bucket: number, scope: LockScope | undefined, task: BucketTask<T>): Promise<T> {
    const acknowledged = await this.acknowledged(clientKey, bucket, scope);
    return task(acknowledged, async (state) => {
      if (!state) {
        await this.table.remove(clientKey, bucket, scope);
        return;
      }
      await this.table.save({ clientKey, bucket, gen: state.gen, writer: state.writer, pages: JSON.stringify(state.pages) }, scope);
    });
  }
}
