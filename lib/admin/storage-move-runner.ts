/**
 * Each instance's runner of storage moves. A move starts when the admin asks for it (kick), at
 * start-up, and at every check (KEEPSAKE_MOVE_CHECK_SECONDS), which is also how a move whose
 * instance crashed is taken over once its lease lapses. Any instance may run any site's move;
 * the lease lets one at a time do it. Stopping (graceful shutdown) ends the moves at the next
 * user and hands their leases back, so another instance goes on at once.
 */
import { randomUUID } from 'node:crypto';
import { KeepsakeError } from '../errors';
import type { Logger } from '../logger';
import type { StorageMoveJobs } from './storage-move-jobs';
import type { StorageMover } from './storage-mover';

/** What the admin's requests need of the runner. */
export interface MoveKicker {
  /** Starts the site's move on this instance now, unless it runs here already. */
  kick(clientKey: string): void;
}

export class StorageMoveRunner implements MoveKicker {
  /** This instance's name on the leases it holds. */
  private readonly holder = randomUUID();
  private readonly running = new Map<string, Promise<void>>();
  /** Sites kicked while their run was ending: run again, so a retry asked for just then is not missed. */
  private readonly kickedWhileRunning = new Set<string>();
  private readonly stopping = new AbortController();
  private timer?: NodeJS.Timeout;
  private checking: Promise<void> = Promise.resolve();

  constructor(
    private readonly jobs: StorageMoveJobs,
    private readonly mover: StorageMover,
    private readonly logger: Logger,
    /** 0: no timer (moves start only when asked for, and at start-up). */
    private readonly checkIntervalMs: number,
  ) {}

  start(): void {
    this.check();
    if (this.checkIntervalMs > 0) {
      this.timer = setInterval(() => this.check(), this.checkIntervalMs);
      this.timer.unref();
    }
  }

  kick(clientKey: string): void {
    if (this.stopping.signal.aborted) return;
    if (this.running.has(clientKey)) {
      this.kickedWhileRunning.add(clientKey);
      return;
    }
    const run = this.mover
      .run(clientKey, this.holder, this.stopping.signal)
      .then(
        (outcome) => this.logger.debug({ clientKey, outcome }, 'storage move run ended'),
        (error: unknown) => {
          // An uninstalled site's move waits for its reinstall; anything else is tried again at the next check.
          if (error instanceof KeepsakeError && error.code === 'SITE_NOT_INSTALLED') return;
          this.logger.warn({ clientKey, err: error }, 'storage move could not run; it is tried again at the next check');
        },
      )
      .finally(() => {
        this.running.delete(clientKey);
        if (this.kickedWhileRunning.delete(clientKey)) this.kick(clientKey);
      });
    this.running.set(clientKey, run);
  }

  /** Takes up every move under way that no live instance holds. */
  private check(): void {
    this.checking = this.checking
      .then(async () => {
        if (this.stopping.signal.aborted) return;
        for (const clientKey of await this.jobs.waiting()) this.kick(clientKey);
      })
      .catch((error: unknown) =>
        this.logger.warn({ err: error }, 'could not look for storage moves to run; trying again at the next check'),
      );
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    if (this.timer) clearInterval(this.timer);
    await this.checking;
    await Promise.all(this.running.values());
  }
}
