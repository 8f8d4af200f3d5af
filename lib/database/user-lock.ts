/**
 * Serialises writes to one user's preferences on one site, so that read-modify-write never
 * loses an update. On Postgres the lock is a transaction-scoped advisory lock, which holds
 * across every app instance sharing the database; the task gets that transaction so its own
 * database writes go through the connection already held. A holder still needs a second
 * connection now and then (ACE reads the install record before each Confluence call), so at
 * most `maxHolders` — fewer than the pool's connections — hold locks at once: the rest wait in
 * memory, and a holder always finds a free connection. sqlite is a single-instance store:
 * there the in-process mutex alone is the lock.
 */
import { createHash } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { KeyedMutex } from './keyed-mutex';
import { Semaphore } from './semaphore';

export class UserLock {
  private readonly local = new KeyedMutex();
  private readonly holders: Semaphore;

  constructor(
    private readonly sequelize: Sequelize,
    maxHolders: number,
  ) {
    this.holders = new Semaphore(maxHolders);
  }

  run<T>(clientKey: string, accountId: string, task: (tx?: Transaction) => Promise<T>): Promise<T> {
    const key = `${clientKey}\u0000${accountId}`;
    return this.local.run(key, () => {
      if (this.sequelize.getDialect() !== 'postgres') return task();
      const [a, b] = advisoryKey(key);
      return this.holders.run(() => this.sequelize.transaction(async (tx) => {
        await this.sequelize.query('SELECT pg_advisory_xact_lock(:a, :b)', {
          replacements: { a, b },
          transaction: tx,
          type: QueryTypes.SELECT,
        });
        return task(tx);
      }));
    });
  }
}

/** Two signed 32-bit integers from the key's hash: Postgres's two-key advisory lock space. */
function advisoryKey(key: string): [number, number] {
  const digest = createHash('sha256').update(key).digest();
  return [digest.readInt32BE(0), digest.readInt32BE(4)];
}
