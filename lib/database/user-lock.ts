/**
 * Serialises writes to one user's preferences on one site, so that read-modify-write never
 * loses an update: an AdvisoryLock (across instances on Postgres) by site and user, whose queue
 * on this instance is bounded.
 */
import type { Sequelize } from 'sequelize';
import { KeepsakeError } from '../errors';
import { AdvisoryLock } from './advisory-lock';
import type { LockScope } from './lock-scope';

export class UserLock {
  private readonly lock: AdvisoryLock;

  constructor(
    sequelize: Sequelize,
    maxHolders: number,
    /** The most tasks of one user running or waiting on this instance; past it, `run` refuses at once. */
    private readonly maxQueued = Number.POSITIVE_INFINITY,
  ) {
    this.lock = new AdvisoryLock(sequelize, maxHolders);
  }

  /**
   * Settles once every write running or waiting on this instance is done: a shutdown waits for
   * it before closing the database, as writes whose clients left are still under way.
   */
  idle(): Promise<void> {
    return this.lock.idle();
  }

  run<T>(clientKey: string, accountId: string, task: (scope?: LockScope) => Promise<T>): Promise<T> {
    const key = `${clientKey}\u0000${accountId}`;
    // A queue without bound would hold writes long after their requests were answered.
    if (this.lock.queued(key) >= this.maxQueued) {
      return Promise.reject(
        new KeepsakeError('TOO_MANY_WRITES', 'Keepsake is still saving your earlier changes. Wait a moment and try again.', undefined, 2),
      );
    }
    return this.lock.run(key, task);
  }
}
