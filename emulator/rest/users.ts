// Users: the current user, a user by accountId, several by accountId, and a user's groups.
// All need READ.
import { Router, type Request } from 'express';
import { ACCOUNT_ID_PATTERN, type Account } from '../accounts';
import { callerOf } from '../auth/caller';
import { requireScope } from '../auth/require-scope';
import type { EmulatorContext } from '../emulator-context';
import { HttpError } from '../errors';
import { linksFor } from './links';
import { accountJson, appUserJson, type UserJsonOptions } from './user-json';

/** Groups are assumed names: every user is in confluence-users, site admins also in the admin groups. */
const GROUPS = {
  users: { name: 'confluence-users', id: 'a1b2c3d4-0000-4000-8000-000000000001' },
  siteAdmins: { name: 'site-admins', id: 'a1b2c3d4-0000-4000-8000-000000000002' },
  confluenceAdmins: { name: 'confluence-admins', id: 'a1b2c3d4-0000-4000-8000-000000000003' },
} as const;

function expandOptions(req: Request): UserJsonOptions {
  const expand = typeof req.query.expand === 'string' ? req.query.expand.split(',') : [];
  return { expandOperations: expand.map((e) => e.trim()).includes('operations') };
}

function accountIdParam(req: Request): string {
  const accountId = req.query.accountId;
  if (typeof accountId !== 'string' || accountId === '') throw new HttpError(400, 'The query parameter accountId is required');
  if (!ACCOUNT_ID_PATTERN.test(accountId)) throw new HttpError(400, `"${accountId}" is not a valid accountId`);
  return accountId;
}

export function usersRouter(ctx: EmulatorContext): Router {
  const router = Router();

  function userJson(accountId: string, options: UserJsonOptions): object {
    const account = ctx.site.findAccount(accountId);
    if (account) return accountJson(ctx.urls, account, options);
    const app = ctx.site.installedAppByAccountId(accountId);
    if (app) return appUserJson(ctx.urls, app, options);
    throw new HttpError(404, `No user found with accountId ${accountId}`);
  }

  router.get('/api/user/current', (req, res) => {
    const caller = callerOf(res);
    requireScope(caller, 'READ');
    const options = expandOptions(req);
    if (caller.accountId !== undefined) {
      res.json(userJson(caller.accountId, options));
    } else if (caller.app) {
      res.json(appUserJson(ctx.urls, caller.app, options));
    } else {
      throw new HttpError(401, 'No current user');
    }
  });

  router.get('/api/user', (req, res) => {
    requireScope(callerOf(res), 'READ');
    res.json(userJson(accountIdParam(req), expandOptions(req)));
  });

  router.get('/api/user/bulk', (req, res) => {
    requireScope(callerOf(res), 'READ');
    const raw = req.query.accountId;
    const ids = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => (typeof v === 'string' ? v.split(',') : [])).filter((v) => v !== '');
    if (ids.length === 0) throw new HttpError(400, 'The query parameter accountId is required');
    const found = ids.map((id) => ctx.site.findAccount(id)).filter((a): a is Account => a !== undefined);
    res.json({
      results: found.map((a) => accountJson(ctx.urls, a)),
      start: 0,
      limit: ids.length,
      size: found.length,
      _links: linksFor(ctx.urls, '/rest/api/user/bulk'),
    });
  });

  router.get('/api/user/memberof', (req, res) => {
    requireScope(callerOf(res), 'READ');
    const accountId = accountIdParam(req);
    const account = ctx.site.findAccount(accountId);
    if (!account) throw new HttpError(404, `No user found with accountId ${accountId}`);
    // A closed account belongs to no group any more (assumed: it has no access to any organization).
    const groups =
      account.closedAt !== undefined ? [] : account.siteAdmin ? [GROUPS.users, GROUPS.siteAdmins, GROUPS.confluenceAdmins] : [GROUPS.users];
    res.json({
      results: groups.map((g) => ({
        type: 'group',
        name: g.name,
        id: g.id,
        _links: { self: `${ctx.urls.siteUrl}/rest/api/group/by-id?id=${g.id}` },
      })),
      start: 0,
      limit: 200,
      size: groups.length,
      _links: linksFor(ctx.urls, `/rest/api/user/memberof?accountId=${encodeURIComponent(accountId)}`),
    });
  });

  return router;
}
