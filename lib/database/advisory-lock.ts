/**
 * A lock by key across every instance sharing the database, as UserLock and BucketLock take
 * it: on Postgres a transaction-scoped advisory lock in a transaction of its own, handed to the
 * task as a LockScope so the task's database writes go through the connection already held;
 * in this process, tasks of one key wait for each other in memory first, and at most
 * `maxHolders` hold a connection at once (fewer than the pool's, so a holder that needs a second
 * connection always finds one). sqlite is a single-instance store: there the in-process mutex
 * alone is the lock.
 */
import { createHash } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { KeyedMutex } from '../concurrency/keyed-mutex';
import { Semaphore } from '../concurrency/semaphore';
import { LockScope } from './lock-scope';

export class AdvisoryLock {
  private readonly local = new KeyedMutex();
  private readonly holders: Semaphore;

  constructor(
    private readonly sequelize: Sequelize,
    maxHolders: number,
  ) {
    this.holders = new Semaphore(maxHolders);
  }

  /** Tasks of this key running or waiting on this instance. */
  queued(key: string): number {
    return this.local.size(key);
  }

  /** Settles once no task runs or waits on this instance. */
  idle(): Promise<void> {
    return this.local.idle();
  }

  run<T>(key: string, task: (scope?: LockScope) => Promise<T>): Promise<T> {
    return this.local.run(key, () => {
      if (this.sequelize.getDialect() !== 'postgres') return task();
      const [a, b] = advisoryKey(key);
      return this.holders.run(() =>
        this.sequelize.transaction(async (tx) => {
          await this.sequelize.query('SELECT pg_advisory_xact_lock(:a, :b)', {
            replacements: { a, b },
            transaction: tx,
            type: QueryTypes.SELECT,
          });
          return task(new LockScope(tx));
        }),
      );
    });
  }
}

/** Two signed 32-bit integers from the key's hash: Postgres's two-key advisory lock space. */
function advisoryKey(key: string): [number, number] {
  const digest = createHash('sha256').update(key).digest();
  return [digest.readInt32BE(0), digest.readInt32BE(4)];
}
