/**
 * What holding a user's lock means to the database (UserLock): on Postgres, the transaction
 * that holds the advisory lock, so that the holder's own writes go through the connection it
 * already has. Services only pass it on to the repositories; what it is stays in lib/database.
 */
import type { Transaction } from 'sequelize';

export class LockScope {
  readonly #transaction: Transaction;

  constructor(transaction: Transaction) {
    this.#transaction = transaction;
  }

  /** For repositories: the transaction a query joins (none outside a lock, or on sqlite). */
  static transactionOf(scope: LockScope | undefined): Transaction | undefined {
    return scope === undefined ? undefined : scope.#transaction;
  }
}
