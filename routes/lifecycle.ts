/**
 * The Connect lifecycle. ACE verifies the RS256-signed `installed` and `uninstalled` calls;
 * Keepsake records the site before ACE stores the install (so the first API call after an
 * install finds it), and on uninstall forgets the shared secret, so nothing signed with it is
 * accepted again. The site's own data stays in Confluence and resumes on reinstall.
 */
import express, { type Router } from 'express';
import type { AddOn } from 'atlassian-connect-express';
import type { Logger } from '../lib/logger';
import type { ClientInfos } from '../lib/sites/client-infos';
import { forgetImpersonationTokens } from '../lib/sites/impersonation-tokens';
import type { SiteRegistry } from '../lib/sites/site-registry';
import { handle } from './handle';

export function lifecycleRouter(addon: AddOn, registry: SiteRegistry, clientInfos: ClientInfos, logger: Logger): Router {
  const router = express.Router();

  router.post(
    '/installed',
    addon.verifyInstallation(),
    handle(async (req, _res, next) => {
      const clientKey = String(req.body.clientKey);
      await registry.markInstalled(clientKey);
      await forgetImpersonationTokens(addon, clientKey);
      clientInfos.forget(clientKey);
      logger.info({ clientKey: req.body.clientKey, baseUrl: req.body.baseUrl }, 'installed');
      next();
    }),
    addon.postInstallation(),
  );

  router.post(
    '/uninstalled',
    addon.authenticateInstall(),
    handle(async (req, res) => {
      const clientKey = String(req.body.clientKey);
      await registry.markUninstalled(clientKey);
      await addon.settings.del('clientInfo', clientKey);
      await forgetImpersonationTokens(addon, clientKey);
      clientInfos.forget(clientKey);
      logger.info({ clientKey }, 'uninstalled');
      res.status(204).end();
    }),
  );

  for (const event of ['enabled', 'disabled'] as const) {
    router.post(`/${event}`, addon.authenticate(), (req, res) => {
      logger.info({ clientKey: req.body?.clientKey }, event);
      res.status(204).end();
    });
  }
  return router;
}
