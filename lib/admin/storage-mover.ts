/**
 * Runs one site's storage move: under the site's lease, every user still on another backend
 * is moved (PreferenceService.move: per user, under the user's lock, the new copy written
 * before the old is removed, safe to repeat), a few at a time, in account id order. Users keep
 * reading and writing throughout: each user's data is wherever the cache says, and moves
 * under their lock.
 *
 * A rate limit or an unavailable Confluence is waited out and the user tried again; a user
 * still failing after that, or failing otherwise, is left where they are (nothing is lost)
 * and the pass goes on. A pass that leaves users behind stops the move as failed, with the
 * reason, until the admin retries. A crash or a stop leaves the move under way: whoever takes
 * the lease next finds the users still to move in the cache table.
 */
import type { Logger } from '../logger';
import { KeepsakeError, type ErrorCode } from '../errors';
import type { PreferenceService } from '../preferences/preference-service';
import type { SiteContext, SiteContexts } from '../sites/site-context';
import type { SiteRegistry } from '../sites/site-registry';
import type { Backend } from '../storage/record-store';
import type { StorageMoveJobs } from './storage-move-jobs';

/** How the run ended: `busy` when another instance holds the lease. */
export type MoveOutcome = 'done' | 'failed' | 'stopped' | 'lease-lost' | 'busy';

export interface MoverOptions {
  /** Users moved at once. Each holds one of the instance's user-lock slots while it moves, so this stays below their number: users' own writes keep a slot. */
  concurrency: number;
  /** Users read from the cache table at a time. */
  batchSize: number;
  /** How long a lease lasts unless renewed; renewed every third of it while the move runs. */
  leaseMs: number;
  /** Attempts per user when Confluence is rate limiting or unavailable, the first included. */
  attempts: number;
  /** The longest wait between two attempts. */
  maxBackoffMs: number;
}

export const DEFAULT_MOVER_OPTIONS: MoverOptions = { concurrency: 3, batchSize: 100, leaseMs: 30_000, attempts: 6, maxBackoffMs: 30_000 };

/** Failures that pass: Confluence throttling or briefly away. */
const TRANSIENT: ErrorCode[] = ['CONFLUENCE_RATE_LIMITED', 'CONFLUENCE_UNAVAILABLE', 'TIMEOUT'];

export class StorageMover {
  constructor(
    private readonly jobs: StorageMoveJobs,
    private readonly contexts: SiteContexts,
    private readonly registry: SiteRegistry,
    private readonly preferences: PreferenceService,
    private readonly logger: Logger,
    private readonly options: MoverOptions = DEFAULT_MOVER_OPTIONS,
  ) {}

  /** Runs the site's move as `holder` until it is done, fails, loses its lease or `signal` stops it. */
  async run(clientKey: string, holder: string, signal: AbortSignal): Promise<MoveOutcome> {
    const ctx = await this.contexts.forClient(clientKey);
    if (!(await this.jobs.takeLease(clientKey, holder, this.options.leaseMs))) return 'busy';
    const lease = new AbortController();
    const heartbeat = setInterval(() => {
      this.jobs.renewLease(clientKey, holder, this.options.leaseMs).then(
        (held) => held || lease.abort(),
        (error: unknown) => this.logger.warn({ clientKey, err: error }, 'storage move: the lease could not be renewed; trying again'),
      );
    }, this.options.leaseMs / 3);
    const stop = AbortSignal.any([signal, lease.signal]);
    try {
      const outcome = await this.passes(ctx, stop);
      if (lease.signal.aborted) return 'lease-lost';
      return outcome;
    } finally {
      clearInterval(heartbeat);
      if (!lease.signal.aborted) await this.jobs.releaseLease(clientKey, holder);
    }
  }

  /** Passes over the users still to move until none is left, or a pass leaves some behind. */
  private async passes(ctx: SiteContext, stop: AbortSignal): Promise<MoveOutcome> {
    const { clientKey } = ctx.site;
    for (;;) {
      const job = await this.jobs.get(clientKey);
      if (!job || job.state !== 'moving') return 'stopped';
      const to = job.toBackend as Backend;
      const before = await this.jobs.remaining(clientKey, to);
      const failures = await this.pass(ctx, stop);
      if (stop.aborted) return 'stopped';
      // The target may have changed during the pass (the admin saved again): ask about the one now.
      const now = await this.jobs.get(clientKey);
      if (!now || now.state !== 'moving') return 'stopped';
      if (now.toBackend !== to) continue;
      if (failures.size > 0) {
        const [lastReason] = [...failures.values()].slice(-1);
        const error = `${failures.size} user${failures.size === 1 ? '' : 's'} could not be moved: ${lastReason}`;
        if (await this.jobs.fail(clientKey, to, failures.size, error)) {
          this.logger.warn(
            { clientKey, to, failed: failures.size, reason: lastReason },
            'storage move stopped; it waits for the admin to retry',
          );
          return 'failed';
        }
        continue;
      }
      const remaining = await this.jobs.remaining(clientKey, to);
      if (remaining > 0 && remaining < before) continue;
      if (remaining > 0) {
        // A whole pass moved nobody and nothing failed: stop rather than go round again.
        const error = `${remaining} user${remaining === 1 ? '' : 's'} stayed on the old backend after a whole pass.`;
        if (await this.jobs.fail(clientKey, to, remaining, error)) return 'failed';
        continue;
      }
      // Recorded on the site first: a crash in between leaves a move that finds nothing left and finishes.
      await this.registry.setActiveBackend(clientKey, to);
      if (await this.jobs.finish(clientKey, to)) {
        this.logger.info({ clientKey, to }, 'storage move finished');
        return 'done';
      }
    }
  }

  /** One pass in account id order, the target read again for each batch; answers the users left behind, with why. */
  private async pass(ctx: SiteContext, stop: AbortSignal): Promise<Map<string, string>> {
    const { clientKey } = ctx.site;
    const failures = new Map<string, string>();
    let after = '';
    while (!stop.aborted) {
      const job = await this.jobs.get(clientKey);
      if (!job || job.state !== 'moving') break;
      const to = job.toBackend as Backend;
      const batch = await this.jobs.pendingAccounts(clientKey, to, after, this.options.batchSize);
      if (batch.length === 0) break;
      after = batch[batch.length - 1];
      const queue = [...batch];
      const worker = async () => {
        for (let accountId = queue.shift(); accountId !== undefined && !stop.aborted; accountId = queue.shift()) {
          try {
            await this.moveUser(ctx, accountId, to, stop);
          } catch (error) {
            if (stop.aborted) return;
            if (!(error instanceof KeepsakeError)) this.logger.warn({ clientKey, err: error }, 'storage move: a user could not be moved');
            failures.set(accountId, reasonOf(error));
          }
        }
      };
      await Promise.all(Array.from({ length: this.options.concurrency }, worker));
      await this.jobs.touch(clientKey);
    }
    return failures;
  }

  /** Moves one user, waiting out a rate limit or an unavailable Confluence (its Retry-After, or doubling waits). */
  private async moveUser(ctx: SiteContext, accountId: string, to: Backend, stop: AbortSignal): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.preferences.move(ctx, accountId, to);
        return;
      } catch (error) {
        const transient = error instanceof KeepsakeError && TRANSIENT.includes(error.code);
        if (!transient || attempt >= this.options.attempts || stop.aborted) throw error;
        const doubling = 1000 * 2 ** (attempt - 1);
        await pause(Math.min(this.options.maxBackoffMs, Math.max(doubling, (error.retryAfter ?? 0) * 1000)), stop);
      }
    }
  }
}

function reasonOf(error: unknown): string {
  return error instanceof KeepsakeError ? error.message : 'an unexpected error in Keepsake (its log has the details).';
}

/** Waits `ms`, or less when `stop` aborts. */
function pause(ms: number, stop: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      stop.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    stop.addEventListener('abort', done, { once: true });
  });
}
