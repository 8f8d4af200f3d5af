/**
 * Atlassian's personal-data reporting cycle (docs/privacy.md):
 * Keepsake reports every account it holds anything about on a site, at most 90 per call, to
 * `POST /rest/atlassian-connect/latest/report-accounts` as the app; Atlassian answers which are
 * `closed` (Keepsake erases everything of theirs) and which `updated` (Keepsake drops the
 * display name it keeps in memory, on every instance, so the next page view asks again). The answer's
 * `Cycle-Period` header says when the next cycle is due (7 days when absent).
 *
 * A cycle goes through the accounts in id order and records after each batch where it is, so
 * a rate limit, a failure or a crash pauses it and the next run resumes there: nothing is
 * reported twice in a cycle and no cycle fails for good. One instance at a time runs a site's
 * cycle, under a lease in the database that lapses if its holder dies.
 */
import type { CycleOutcome, PersonalDataStatus } from '../api/answers';
import { AS_APP } from '../confluence/client';
import type { PageAuthors } from '../confluence/page-authors';
import { parseReply, reportAccountsReply } from '../confluence/replies';
import type { AccountReportTable } from '../database/repositories/account-report-table';
import { KeepsakeError } from '../errors';
import type { SiteContext } from '../sites/site-context';
import type { UserData } from './user-data';
import { systemClock, type Clock } from '../time/clock';

const REPORT_PATH = '/rest/atlassian-connect/latest/report-accounts';
/** Atlassian's limit of accounts per call. */
export const ACCOUNTS_PER_CALL = 90;
const DEFAULT_CYCLE_MS = 7 * 24 * 3600 * 1000;
/** Long enough for a cycle's batches; a crashed holder's lease lapses after it. */
const LEASE_MS = 5 * 60 * 1000;

export class AccountReporting {
  constructor(
    private readonly reports: AccountReportTable,
    private readonly userData: UserData,
    /** Display names and page authors kept in memory, forgotten for closed and updated accounts. */
    private readonly pageAuthors: PageAuthors,
    private readonly clock: Clock = systemClock,
  ) {}

  /**
   * Runs the site's cycle if one is due, or resumes one under way; with `force` (an admin's
   * "Run now"), also when none is due.
   */
  async run(ctx: SiteContext, options: { force?: boolean } = {}): Promise<CycleOutcome> {
    const { clientKey } = ctx.site;
    const row = await this.reports.findOrCreate(clientKey);
    const underWay = row.cursor !== null || row.cycleStartedAt !== null;
    if (!options.force && !underWay && row.nextCycleAt && row.nextCycleAt > this.clock.now()) return outcome('not-due', row);
    if (!(await this.takeLease(clientKey))) return outcome('busy', row);
    try {
      return await this.cycle(ctx, underWay ? row.cursor : null, !underWay);
    } finally {
      await this.reports.update(clientKey, { leaseUntil: null });
    }
  }

  /** The site's last or current cycle, for the admin page. */
  async status(clientKey: string): Promise<PersonalDataStatus> {
    const row = await this.reports.find(clientKey);
    if (!row) return { state: 'not-due', reported: 0, closed: 0, updated: 0, erased: 0, nextCycleAt: null, lastCycleAt: null };
    const paused = row.cursor !== null || row.cycleStartedAt !== null;
    return { ...outcome(paused ? 'paused' : 'done', row), lastCycleAt: row.lastCycleAt?.toISOString() ?? null };
  }

  private async cycle(ctx: SiteContext, cursor: string | null, fresh: boolean): Promise<CycleOutcome> {
    const { clientKey } = ctx.site;
    if (fresh) {
      await this.reports.update(clientKey, {
        cursor: null,
        cycleStartedAt: this.clock.now(),
        reported: 0,
        closed: 0,
        updated: 0,
        erased: 0,
        pausedBecause: null,
      });
    }
    const accounts = (await this.userData.accounts(clientKey)).filter((a) => cursor === null || a.accountId > cursor);
    let cyclePeriodMs = DEFAULT_CYCLE_MS;
    for (let start = 0; start < accounts.length; start += ACCOUNTS_PER_CALL) {
      const batch = accounts.slice(start, start + ACCOUNTS_PER_CALL);
      let answer: { closed: string[]; updated: string[]; cycleMs?: number };
      try {
        answer = await this.report(ctx, batch);
      } catch (error) {
        // Paused where it is: the next run (trigger, timer or an admin) resumes after the last batch done.
        const because = error instanceof KeepsakeError ? error.message : 'Keepsake could not report the accounts to Atlassian.';
        await this.reports.update(clientKey, { pausedBecause: because.slice(0, 1000) });
        return outcome('paused', (await this.reports.find(clientKey))!);
      }
      if (answer.cycleMs !== undefined) cyclePeriodMs = answer.cycleMs;
      let erased = 0;
      for (const accountId of answer.closed) {
        const gone = await this.userData.erase(ctx, accountId, 'app');
        erased += gone.confluenceRecords + gone.cookieMigrations;
      }
      for (const accountId of [...answer.closed, ...answer.updated]) await this.pageAuthors.forget(clientKey, accountId);
      await this.reports.addFigures(clientKey, {
        reported: batch.length,
        closed: answer.closed.length,
        updated: answer.updated.length,
        erased,
      });
      await this.reports.update(clientKey, { cursor: batch[batch.length - 1].accountId, pausedBecause: null });
    }
    const finished = this.clock.now();
    await this.reports.update(clientKey, {
      cursor: null,
      cycleStartedAt: null,
      lastCycleAt: finished,
      nextCycleAt: new Date(finished.getTime() + cyclePeriodMs),
      pausedBecause: null,
    });
    return outcome('done', (await this.reports.find(clientKey))!);
  }

  private async report(
    ctx: SiteContext,
    batch: { accountId: string; updatedAt: Date }[],
  ): Promise<{ closed: string[]; updated: string[]; cycleMs?: number }> {
    const reply = await ctx.confluence.send({
      method: 'POST',
      path: REPORT_PATH,
      body: { accounts: batch.map(({ accountId, updatedAt }) => ({ accountId, updatedAt: updatedAt.toISOString() })) },
      acting: AS_APP,
    });
    const cycleMs = cyclePeriod(reply.headers['cycle-period']);
    if (reply.status === 204) return { closed: [], updated: [], ...(cycleMs ? { cycleMs } : {}) };
    if (reply.status !== 200) {
      throw new KeepsakeError('CONFLUENCE_REJECTED', `Atlassian refused the personal-data report (${reply.status}).`, {
        confluenceStatus: reply.status,
      });
    }
    const sent = new Set(batch.map((a) => a.accountId));
    const answered = parseReply(reportAccountsReply, reply, 'report the accounts Keepsake holds').accounts;
    // Only accounts Keepsake reported: an answer naming any other is not acted on.
    const named = (status: string) =>
      answered
        .filter((a) => a.status === status && typeof a.accountId === 'string' && sent.has(a.accountId))
        .map((a) => a.accountId as string);
    return { closed: named('closed'), updated: named('updated'), ...(cycleMs ? { cycleMs } : {}) };
  }

  /** Takes the site's lease unless a live one is held elsewhere; the database decides, so instances never both win. */
  private async takeLease(clientKey: string): Promise<boolean> {
    const now = this.clock.now();
    return this.reports.takeLease(clientKey, now, new Date(now.getTime() + LEASE_MS));
  }
}

function outcome(
  state: CycleOutcome['state'],
  row: { reported: number; closed: number; updated: number; erased: number; nextCycleAt: Date | null; pausedBecause: string | null },
): CycleOutcome {
  return {
    state,
    reported: row.reported,
    closed: row.closed,
    updated: row.updated,
    erased: row.erased,
    nextCycleAt: row.nextCycleAt ? new Date(row.nextCycleAt).toISOString() : null,
    ...(state === 'paused' && row.pausedBecause ? { pausedBecause: row.pausedBecause } : {}),
  };
}

/**
 * `Cycle-Period` in the forms seen in the wild: "N Days" (a community client's tests), a number
 * of seconds, or an ISO 8601 duration like P7D (docs/privacy.md). Undefined when absent or unread.
 */
export function cyclePeriod(header: string | string[] | undefined): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  const days = /^(\d+(?:\.\d+)?)\s*days?$/i.exec(value) ?? /^P(\d+)D$/i.exec(value);
  if (days) return Number(days[1]) * 24 * 3600 * 1000;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  return undefined;
}
