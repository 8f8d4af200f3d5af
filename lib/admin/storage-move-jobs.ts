/**
 * The storage move of each site as a job in the database (keepsake_storage_moves): what the
 * admin asked for, how far it got, why it stopped, and the lease that lets one instance at a
 * time run it. Which users are still to move is never stored: the preference cache's per-user
 * backend column says it, so a move cut short anywhere resumes where it stood.
 */
import type { StorageMoveRow } from '../database/models';
import type { PreferenceCacheTable } from '../database/repositories/preference-cache-table';
import type { StorageMoveTable } from '../database/repositories/storage-move-table';
import type { StorageMoveStatus } from '../api/answers';
import type { Backend } from '../storage/record-store';
import { systemClock, type Clock } from '../time/clock';

/** A site's move as the admin page shows it (declared with the API's answers). */
export type { StorageMoveStatus };

export class StorageMoveJobs {
  constructor(
    private readonly moves: StorageMoveTable,
    private readonly cache: PreferenceCacheTable,
    private readonly clock: Clock = systemClock,
  ) {}

  /**
   * Records that every user of the site belongs on `to`. A move to the same target already
   * under way goes on as it is; one to a new target (or after a failure) starts its figures
   * again. Answers false, recording nothing under way, when no user is on another backend.
   */
  async request(clientKey: string, from: Backend | null, to: Backend): Promise<boolean> {
    const remaining = await this.remaining(clientKey, to);
    const existing = await this.moves.find(clientKey);
    const now = this.clock.now();
    if (remaining === 0) {
      if (existing && existing.state !== 'done') await this.finish(clientKey);
      return false;
    }
    if (existing?.state === 'moving' && existing.toBackend === to) return true;
    // The lease columns are left alone: a runner holding it goes on, towards the new target.
    const fresh = {
      fromBackend: from,
      toBackend: to,
      state: 'moving' as const,
      total: remaining,
      failed: 0,
      error: null,
      startedAt: now,
      updatedAt: now,
      finishedAt: null,
    };
    await this.moves.saveRequest(clientKey, fresh, existing !== undefined);
    return true;
  }

  /** The admin's retry of a failed move: the same target, its figures kept. False when there is nothing to retry. */
  async retry(clientKey: string): Promise<boolean> {
    return this.moves.restart(clientKey, this.clock.now());
  }

  /** The move under way or stopped, with its figures now; null when none is. */
  async status(clientKey: string): Promise<StorageMoveStatus | null> {
    const row = await this.moves.find(clientKey);
    if (!row || row.state === 'done') return null;
    const remaining = await this.remaining(clientKey, row.toBackend as Backend);
    return {
      state: row.state,
      from: row.fromBackend as Backend | null,
      to: row.toBackend as Backend,
      total: row.total,
      moved: Math.max(0, row.total - remaining),
      remaining,
      failed: row.failed,
      ...(row.error ? { error: row.error } : {}),
      startedAt: new Date(row.startedAt).toISOString(),
      updatedAt: new Date(row.updatedAt).toISOString(),
    };
  }

  /** The site's job as stored (for the runner, which reads the target again as it goes). */
  get(clientKey: string): Promise<StorageMoveRow | undefined> {
    return this.moves.find(clientKey);
  }

  /** Sites with a move under way and no live lease: what an instance may take up. */
  waiting(): Promise<string[]> {
    return this.moves.waiting(this.clock.now());
  }

  /** Up to `limit` users of the site not on `to`, in account id order after `after`. */
  pendingAccounts(clientKey: string, to: Backend, after: string, limit: number): Promise<string[]> {
    return this.cache.accountsNotOn(clientKey, to, after, limit);
  }

  remaining(clientKey: string, to: Backend): Promise<number> {
    return this.cache.countNotOn(clientKey, to);
  }

  /** Marks progress (the figures derive from the cache table; this is the time shown). */
  touch(clientKey: string): Promise<void> {
    return this.moves.touch(clientKey, this.clock.now());
  }

  /** A pass towards `to` ended with users it could not move: the move waits for the admin's retry. False when the target changed meanwhile. */
  fail(clientKey: string, to: Backend, failed: number, error: string): Promise<boolean> {
    return this.moves.stop(clientKey, to, failed, error.slice(0, 1000), this.clock.now());
  }

  /** Every user is on `to` (or on the target, when none is given). False when the target changed meanwhile. */
  finish(clientKey: string, to?: Backend): Promise<boolean> {
    return this.moves.finish(clientKey, this.clock.now(), to);
  }

  /**
   * Takes the site's lease for `holder` unless another holds a live one; the database decides,
   * so two instances never both win. Taking one's own lease again renews it.
   */
  takeLease(clientKey: string, holder: string, ms: number): Promise<boolean> {
    const now = this.clock.now();
    return this.moves.takeLease(clientKey, holder, now, new Date(now.getTime() + ms));
  }

  /** Extends the lease while `holder` still has it; false when it lapsed and another took it. */
  renewLease(clientKey: string, holder: string, ms: number): Promise<boolean> {
    return this.moves.renewLease(clientKey, holder, new Date(this.clock.now().getTime() + ms));
  }

  releaseLease(clientKey: string, holder: string): Promise<void> {
    return this.moves.releaseLease(clientKey, holder);
  }
}
