/**
 * Keepsake's HTTP API (docs/api.md), called by its iframes with their context token. Thin:
 * authenticate, validate, call the service, answer.
 */
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { SiteAdministration } from '../lib/admin/site-administration';
import { isSiteAdmin } from '../lib/auth/site-admin';
import type { Caller, ContextTokenVerifier } from '../lib/auth/context-token';
import { KeepsakeError } from '../lib/errors';
import type { CookieMigration } from '../lib/migration/cookie-migration';
import type { PreferenceService } from '../lib/preferences/preference-service';
import { SET_NAMES, contentId, pageRequest, preferencesPatch, profile } from '../lib/preferences/schema';
import type { SiteContext, SiteContexts } from '../lib/sites/site-context';
import { siteSettings } from '../lib/sites/site-settings';
import { parseInput } from '../lib/validation/parse-input';
import { handle } from './handle';

export interface ApiDependencies {
  verifier: ContextTokenVerifier;
  contexts: SiteContexts;
  preferences: PreferenceService;
  cookieMigration: CookieMigration;
  administration: SiteAdministration;
}

const accountIdParam = z.string().min(1).max(128).regex(/^[A-Za-z0-9:_-]+$/, { error: 'accountId is not an Atlassian account id' });
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

  router.use(
    handle(async (req, res, next) => {
      const caller = await deps.verifier.verify(req.get('authorization'));
      res.locals.caller = caller;
      res.locals.ctx = await deps.contexts.forClient(caller.clientKey);
      res.setHeader('Cache-Control', 'no-store');
      next();
    }),
  );

  router.get('/preferences', answer((ctx, accountId) => preferences.view(ctx, accountId)));
  router.patch('/preferences', answer((ctx, accountId, req) => preferences.patch(ctx, accountId, parseInput(preferencesPatch, req.body))));
  router.post('/preferences/repair', answer((ctx, accountId) => preferences.repair(ctx, accountId)));

  for (const set of SET_NAMES) {
    router.post(
      `/${set}`,
      answer((ctx, accountId, req) => preferences.addPage(ctx, accountId, set, parseInput(pageRequest, req.body).contentId)),
    );
    router.delete(
      `/${set}/:contentId`,
      answer((ctx, accountId, req) =>
        preferences.removePage(ctx, accountId, set, parseInput(contentId, req.params.contentId, 'The page id in the path')),
      ),
    );
  }

  router.get(
    '/profile/:accountId',
    answer((ctx, viewer, req) =>
      preferences.profile(ctx, parseInput(accountIdParam, req.params.accountId, 'The account id in the path'), viewer),
    ),
  );
  router.put('/profile', answer((ctx, accountId, req) => preferences.putProfile(ctx, accountId, parseInput(profile, req.body))));

  router.post(
    '/migrations/cookies',
    answer((ctx, accountId, req) => cookieMigration.migrate(ctx, accountId, parseInput(cookiesBody, req.body).cookies)),
  );

  const admin = express.Router();
  admin.use(
    handle(async (_req, res, next) => {
      const { ctx, caller } = locals(res);
      if (!(await isSiteAdmin(ctx.confluence, caller.accountId))) {
        throw new KeepsakeError('FORBIDDEN', 'Only Confluence administrators of this site can see or change Keepsake\'s site settings.');
      }
      next();
    }),
  );
  admin.get('/settings', answer(async (ctx) => ({ settings: ctx.site.settings, storage: administration.status(ctx) })));
  admin.put(
    '/settings',
    answer(async (ctx, accountId, req) => {
      const settings = parseInput(siteSettings, req.body);
      return { settings, storage: await administration.updateSettings(ctx, settings, accountId) };
    }),
  );
  admin.post(
    '/storage/move',
    answer(async (ctx, accountId) => {
      await administration.moveStorage(ctx, accountId);
      return { settings: ctx.site.settings, storage: administration.status(ctx) };
    }),
  );
  admin.get('/stats', answer((ctx) => administration.stats(ctx)));
  router.use('/admin', admin);
  return router;
}
