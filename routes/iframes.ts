/**
 * The iframes Confluence shows: the panel on every page, the personal page, and the admin
 * page. Page loads carry Confluence's page-load JWT, which ACE verifies (qsh included); the
 * user's current state is rendered into the HTML so nothing is fetched before it shows.
 */
import express, { type Router } from 'express';
import type { AddOn } from 'atlassian-connect-express';
import { isSiteAdmin } from '../lib/auth/site-admin';
import type { PreferenceService } from '../lib/preferences/preference-service';
import type { SiteContexts } from '../lib/sites/site-context';
import { handle } from './handle';

export interface IframeDependencies {
  addon: AddOn;
  contexts: SiteContexts;
  preferences: PreferenceService;
}

interface AceLocals {
  clientKey: string;
  userAccountId: string;
}

export function iframeRouter({ addon, contexts, preferences }: IframeDependencies): Router {
  const router = express.Router();

  router.get(
    '/panel',
    addon.authenticate(),
    handle(async (req, res) => {
      const { clientKey, userAccountId } = res.locals as AceLocals;
      const ctx = await contexts.forClient(clientKey);
      const state = await preferences.view(ctx, userAccountId);
      res.render('panel', { state, stateJson: embeddable(state), pageId: String(req.query.pageId ?? '') });
    }),
  );

  router.get(
    '/my-keepsake',
    addon.authenticate(),
    handle(async (_req, res) => {
      const { clientKey, userAccountId } = res.locals as AceLocals;
      const ctx = await contexts.forClient(clientKey);
      const state = await preferences.view(ctx, userAccountId);
      res.render('personal', { state, stateJson: embeddable(state) });
    }),
  );

  router.get(
    '/admin',
    addon.authenticate(),
    handle(async (_req, res) => {
      const { clientKey, userAccountId } = res.locals as AceLocals;
      const ctx = await contexts.forClient(clientKey);
      if (!(await isSiteAdmin(ctx.confluence, userAccountId))) {
        res.status(403).render('forbidden', { message: 'Only Confluence administrators can change Keepsake\'s settings.' });
        return;
      }
      res.render('admin', { settingsJson: embeddable(ctx.site.settings) });
    }),
  );
  return router;
}

/** JSON safe inside a <script> element: no `</script>` or `<!--` can close it early. */
function embeddable(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}
