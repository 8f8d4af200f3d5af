/**
 * Serialises writes to one app-property bucket across instances (the ledger's lock:
 * lib/storage/app-property-bucket-ledger.ts says why): an AdvisoryLock by site and bucket, whose
 * LockScope the bucket's row is written in. Its holders are counted apart from user-lock
 * holders, keeping both below the pool's size.
 */
import type { Sequelize } from 'sequelize';
import { AdvisoryLock } from './advisory-lock';
import type { LockScope } from './lock-scope';

/** The database a lock is taken in (for composition roots, which pass it on). */
export type LockDatabase = Sequelize;

export class BucketLock {
  private readonly lock: AdvisoryLock;

  constructor(sequelize: LockDatabase, maxHolders: number) {
    this.lock = new AdvisoryLock(sequelize, maxHolders);
  }

  run<T>(clientKey: string, bucket: number, task: (scope?: LockScope) => Promise<T>): Promise<T> {
    return this.lock.run(`app-property-bucket\u0000${clientKey}\u0000${bucket}`, task);
  }
}
