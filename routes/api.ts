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

  router.get(
    '/preferences',
    handle(async (_req, res) => {
      const { ctx, caller } = locals(res);
      res.json(await preferences.view(ctx, caller.accountId));
    }),
  );

  router.patch(
    '/preferences',
    handle(async (req, res) => {
      const { ctx, caller } = locals(res);
      res.json(await preferences.patch(ctx, caller.accountId, parseInput(preferencesPatch, req.body)));
    }),
  );

  router.post(
    '/preferences/repair',
    handle(async (_req, res) => {
      const { ctx, caller } = locals(res);
      res.json(await preferences.repair(ctx, caller.accountId));
    }),
  );

  for (const set of SET_NAMES) {
    router.post(
      `/${set}`,
      handle(async (req, res) => {
        const { ctx, caller } = locals(res);
        const { contentId: id } = parseInput(pageRequest, req.body);
        res.json(await preferences.addPage(ctx, caller.accountId, set, id));
      }),
    );
    router.delete(
      `/${set}/:contentId`,
      handle(async (req, res) => {
        const { ctx, caller } = locals(res);
        const id = parseInput(contentId, req.params.contentId, 'The page id in the path');
        res.json(await preferences.removePage(ctx, caller.accountId, set, id));
      }),
    );
  }

  router.get(
    '/profile/:accountId',
    handle(async (req, res) => {
      const { ctx, caller } = locals(res);
      const accountId = parseInput(accountIdParam, req.params.accountId, 'The account id in the path');
      res.json(await preferences.profile(ctx, accountId, caller.accountId));
    }),
  );

  router.put(
    '/profile',
    handle(async (req, res) => {
      const { ctx, caller } = locals(res);
      res.json(await preferences.putProfile(ctx, caller.accountId, parseInput(profile, req.body)));
    }),
  );

  router.post(
    '/migrations/cookies',
    handle(async (req, res) => {
      const { ctx, caller } = locals(res);
      const { cookies } = parseInput(cookiesBody, req.body);
      res.json(await cookieMigration.migrate(ctx, caller.accountId, cookies));
    }),
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
  admin.get(
    '/settings',
    handle(async (_req, res) => {
      const { ctx } = locals(res);
      res.json({ settings: ctx.site.settings, storage: administration.status(ctx) });
    }),
  );
  admin.put(
    '/settings',
    handle(async (req: Request, res) => {
      const { ctx, caller } = locals(res);
      const settings = parseInput(siteSettings, req.body);
      const storage = await administration.updateSettings(ctx, settings, caller.accountId);
      res.json({ settings, storage });
    }),
  );
  admin.post(
    '/storage/move',
    handle(async (_req, res) => {
      const { ctx, caller } = locals(res);
      await administration.moveStorage(ctx, caller.accountId);
      res.json({ settings: ctx.site.settings, storage: administration.status(ctx) });
    }),
  );
  admin.get(
    '/stats',
    handle(async (_req, res) => {
      const { ctx } = locals(res);
      res.json(await administration.stats(ctx));
    }),
  );
  router.use('/admin', admin);
  return router;
}
