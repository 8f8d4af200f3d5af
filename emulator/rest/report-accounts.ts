// The platform side of personal data reporting (Connect):
// POST /wiki/rest/atlassian-connect/latest/report-accounts — the path `{baseUrl}/rest/atlassian-connect/latest/report-accounts`
// of a public Connect reporting client, with the site's baseUrl ending in /wiki (docs/platform-facts.md §5).
// The app says which accounts it keeps personal data of and when it last refreshed each; the
// answer lists those it must erase (closed) or refresh (updated). Called as the app with a
// Connect JWT (qsh included); at most 90 accounts per call. Faults, the request log and
// authentication come from the REST stack this router is mounted in (rest/router.ts).
// docs/emulator.md "Personal data reporting" marks each behaviour documented or assumed.
import { Router, type Request, type Response } from 'express';
import { ACCOUNT_ID_PATTERN, type Account } from '../accounts';
import { callerOf } from '../auth/caller';
import type { EmulatorContext } from '../emulator-context';
import { HttpError } from '../errors';
import { isJsonObject, parseJsonBody } from './json-body';

export const REPORT_ACCOUNTS_PATH = '/atlassian-connect/latest/report-accounts';

/** Atlassian's limit on accounts per request (docs/platform-facts.md §5; @forge/api batches by 90). */
export const MAX_REPORTED_ACCOUNTS = 90;

export type ReportedStatus = 'closed' | 'updated';

interface ReportedAccount {
  accountId: string;
  /** ms since the epoch of the app's updatedAt. */
  updatedAt: number;
}

/** ISO-8601 date-time, as in the documented example "2018-10-25T23:08:51.382Z" (offset or Z required). */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

function readReport(req: Request): ReportedAccount[] {
  const body = parseJsonBody(req);
  if (!isJsonObject(body)) throw new HttpError(400, 'The request body must be a JSON object {"accounts": [{"accountId", "updatedAt"}, …]}');
  const accounts = body.accounts;
  if (!Array.isArray(accounts)) throw new HttpError(400, 'The request body has no "accounts" array');
  if (accounts.length > MAX_REPORTED_ACCOUNTS) {
    throw new HttpError(
      400,
      `The request reports ${accounts.length} accounts; at most ${MAX_REPORTED_ACCOUNTS} may be reported in one request`,
    );
  }
  return accounts.map((entry: unknown, i): ReportedAccount => {
    if (!isJsonObject(entry)) throw new HttpError(400, `accounts[${i}] must be an object {"accountId", "updatedAt"}`);
    const { accountId, updatedAt } = entry;
    if (typeof accountId !== 'string' || !ACCOUNT_ID_PATTERN.test(accountId)) {
      throw new HttpError(400, `accounts[${i}].accountId must be an Atlassian account id, got ${JSON.stringify(accountId)}`);
    }
    const time = typeof updatedAt === 'string' && ISO_DATE_TIME.test(updatedAt) ? Date.parse(updatedAt) : Number.NaN;
    if (Number.isNaN(time)) {
      throw new HttpError(
        400,
        `accounts[${i}].updatedAt must be an ISO-8601 date-time such as 2018-10-25T23:08:51.382Z, got ${JSON.stringify(updatedAt)}`,
      );
    }
    return { accountId, updatedAt: time };
  });
}

/** closed wins over updated; an account the site does not know needs nothing (it may be another site's). */
export function reportedStatus(account: Account | undefined, updatedAt: number): ReportedStatus | undefined {
  if (!account) return undefined;
  if (account.closedAt !== undefined) return 'closed';
  if (account.profileUpdatedAt !== undefined && Date.parse(account.profileUpdatedAt) > updatedAt) return 'updated';
  return undefined;
}

export function reportAccountsRouter(ctx: EmulatorContext): Router {
  const router = Router();

  router.post(REPORT_ACCOUNTS_PATH, (req: Request, res: Response) => {
    const caller = callerOf(res);
    if (caller.kind !== 'jwt' || caller.accountId !== undefined) {
      throw new HttpError(
        401,
        'The personal data reporting API is called as the app: send Authorization: JWT <token> signed with the sharedSecret, with a qsh',
      );
    }
    const reported = readReport(req);
    const answered = new Set<string>();
    const accounts: { accountId: string; status: ReportedStatus }[] = [];
    for (const { accountId, updatedAt } of reported) {
      if (answered.has(accountId)) continue;
      const status = reportedStatus(ctx.site.findAccount(accountId), updatedAt);
      if (status === undefined) continue;
      answered.add(accountId);
      accounts.push({ accountId, status });
    }
    const cyclePeriod = ctx.settings.reportAccountsCyclePeriod;
    if (cyclePeriod !== null) res.set('Cycle-Period', cyclePeriod);
    if (accounts.length === 0) {
      res.status(204).end();
      return;
    }
    res.status(200).json({ accounts });
  });

  return router;
}
