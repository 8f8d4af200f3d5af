/**
 * Keepsake's HTTP API (docs/api.md), called by its iframes with their context token. Thin:
 * authenticate, validate, call the service, answer.
 */
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { SiteAdministration, StorageStatus } from '../lib/admin/site-administration';
import { isSiteAdmin } from '../lib/auth/site-admin';
import type { Caller, ContextTokenVerifier } from '../lib/auth/context-token';
import { KeepsakeError } from '../lib/errors';
import type { CookieMigration } from '../lib/legacy-cookies/cookie-migration';
import type { AccountReporting } from '../lib/personal-data/account-reporting';
import type { UserData } from '../lib/personal-data/user-data';
import { pageInSets } from '../lib/preferences/panel-state';
import type { PreferenceService } from '../lib/preferences/preference-service';
import { summarize } from '../lib/preferences/preferences-summary';
import { SET_NAMES, contentId, pageRequest, preferencesPatch, profile } from '../lib/preferences/schema';
import { setPage, setPageQuery } from '../lib/preferences/set-page';
import type { SiteContext, SiteContexts } from '../lib/sites/site-context';
import { siteSettings } from '../lib/sites/site-settings';
import { parseInput } from '../lib/validation/parse-input';
import { handle } from './handle';
import { jsonBodiesOnly } from './request-guards';

export interface ApiDependencies {
  verifier: ContextTokenVerifier;
  contexts: SiteContexts;
  preferences: PreferenceService;
  cookieMigration: CookieMigration;
  administration: SiteAdministration;
  userData: UserData;
  reporting: AccountReporting;
}

const accountIdParam = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9:_-]+$/, { error: 'accountId is not an Atlassian account id' });
const cookiesBody = z.strictObject({
  cookies: z
    .record(z.string().max(100), z.string({ error: 'each cookie value must be text' }))
    .refine((c) => Object.keys(c).length <= 20, { error: 'at most 20 cookies at once' }),
});

interface Locals {
  caller: Caller;
  ctx: SiteContext;
}

function locals(res: Response): Locals {
  return res.locals as Locals;
}

/** A handler that answers with what `fn` returns for the verified caller on their site. */
function answer(fn: (ctx: SiteContext, accountId: string, req: Request) => Promise<unknown>) {
  return handle(async (req, res) => {
    const { ctx, caller } = locals(res);
    res.json(await fn(ctx, caller.accountId, req));
  });
}

export function apiRouter(deps: ApiDependencies): Router {
  const { preferences, cookieMigration, administration } = deps;
  const router = express.Router();

  router.use(jsonBodiesOnly);
  router.use(
    handle(async (req, res, next) => {
      const caller = await deps.verifier.verify(req.get('authorization'));
      res.locals.caller = caller;
      res.locals.ctx = await deps.contexts.forClient(caller.clientKey);
      res.setHeader('Cache-Control', 'no-store');
      next();
    }),
  );

  // Preferences are answered without their sets (counted instead), so no answer grows with
  // them; the sets are read a page at a time (docs/api.md).
  router.get(
    '/preferences',
    answer(async (ctx, accountId) => summarize(await preferences.view(ctx, accountId))),
  );
  router.patch(
    '/preferences',
    answer(async (ctx, accountId, req) => summarize(await preferences.patch(ctx, accountId, parseInput(preferencesPatch, req.body)))),
  );
  router.post(
    '/preferences/repair',
    answer(async (ctx, accountId) => summarize(await preferences.repair(ctx, accountId))),
  );

  for (const set of SET_NAMES) {
    router.get(
      `/${set}`,
      answer(async (ctx, accountId, req) => {
        const query = parseInput(setPageQuery, req.query, 'The query');
        return setPage((await preferences.view(ctx, accountId))[set], query);
      }),
    );
    router.post(
      `/${set}`,
      answer(async (ctx, accountId, req) => {
        const pageId = parseInput(pageRequest, req.body).contentId;
        const view = await preferences.addPage(ctx, accountId, set, pageId);
        return { ...summarize(view), page: pageInSets(view, pageId) };
      }),
    );
    router.delete(
      `/${set}/:contentId`,
      answer(async (ctx, accountId, req) => {
        const pageId = parseInput(contentId, req.params.contentId, 'The page id in the path');
        const view = await preferences.removePage(ctx, accountId, set, pageId);
        return { ...summarize(view), page: pageInSets(view, pageId) };
      }),
    );
  }

  router.get(
    '/profile/:accountId',
    answer((ctx, viewer, req) =>
      preferences.profile(ctx, parseInput(accountIdParam, req.params.accountId, 'The account id in the path'), viewer),
    ),
  );
  router.put(
    '/profile',
    answer(async (ctx, accountId, req) => summarize(await preferences.putProfile(ctx, accountId, parseInput(profile, req.body)))),
  );

  // The user's own rights: a copy of everything Keepsake holds about them, and its erasure.
  router.get(
    '/me/export',
    handle(async (_req, res) => {
      const { ctx, caller } = locals(res);
      const data = await deps.userData.export(ctx, caller.accountId);
      res.attachment('keepsake-my-data.json').json(data);
    }),
  );
  router.delete(
    '/me',
    answer(async (ctx, accountId) => ({ erased: await deps.userData.erase(ctx, accountId, 'owner') })),
  );

  router.post(
    '/migrations/cookies',
    answer((ctx, accountId, req) => cookieMigration.migrate(ctx, accountId, parseInput(cookiesBody, req.body).cookies)),
  );

  const admin = express.Router();
  admin.use(
    handle(async (_req, res, next) => {
      const { ctx, caller } = locals(res);
      if (!(await isSiteAdmin(ctx.confluence, caller.accountId))) {
        throw new KeepsakeError('FORBIDDEN', "Only Confluence administrators of this site can see or change Keepsake's site settings.");
      }
      next();
    }),
  );
  // A save or a retry that leaves a storage move under way answers 202: the move runs in the
  // background, and GET /api/admin/storage shows how far it got (docs/api.md).
  const withMove = (fn: (ctx: SiteContext, accountId: string, req: Request) => Promise<{ storage: StorageStatus }>) =>
    handle(async (req, res) => {
      const { ctx, caller } = locals(res);
      const reply = await fn(ctx, caller.accountId, req);
      res.status(reply.storage.move?.state === 'moving' ? 202 : 200).json(reply);
    });
  admin.get(
    '/settings',
    answer(async (ctx) => ({ settings: ctx.site.settings, storage: await administration.status(ctx) })),
  );
  admin.put(
    '/settings',
    withMove(async (ctx, accountId, req) => {
      const settings = parseInput(siteSettings, req.body);
      return { settings, storage: await administration.updateSettings(ctx, settings, accountId) };
    }),
  );
  admin.get(
    '/storage',
    answer((ctx) => administration.status(ctx)),
  );
  admin.post(
    '/storage/move',
    withMove(async (ctx, accountId) => ({ settings: ctx.site.settings, storage: await administration.moveStorage(ctx, accountId) })),
  );
  admin.get(
    '/stats',
    answer(async (ctx) => ({ ...(await administration.stats(ctx)), personalData: await deps.reporting.status(ctx.site.clientKey) })),
  );
  // Atlassian's personal-data reporting cycle for this site, now (docs/privacy.md).
  admin.post(
    '/personal-data/report',
    answer((ctx) => deps.reporting.run(ctx, { force: true })),
  );
  router.use('/admin', admin);
  return router;
}
