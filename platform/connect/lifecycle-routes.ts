/**
 * The Connect lifecycle (/installed, /uninstalled, /enabled, /disabled). ACE verifies the
 * RS256-signed `installed` and `uninstalled` calls; Keepsake records the site before ACE stores
 * the install (so the first API call after an install finds it), and on uninstall forgets the
 * shared secret, so nothing signed with it is accepted again. The site's own data stays in
 * Confluence and resumes on reinstall. A call whose token or body ACE refuses gets a JSON error
 * with a code (ace-verification.ts).
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import type { AddOn } from 'atlassian-connect-express';
import type { Logger } from '../../lib/logger';
import type { SiteRegistry } from '../../lib/sites/site-registry';
import { handle } from '../../routes/handle';
import { jsonBodiesOnly } from '../../routes/request-guards';
import { aceVerification } from './ace-verification';
import { forgetImpersonationTokens } from './impersonation-tokens';
import type { AceInstallRecords } from './install-records';

/** What Keepsake reads of a lifecycle payload, once ACE has checked its signature (the rest is ACE's). */
const lifecycleBody = z.looseObject({ clientKey: z.string().min(1), baseUrl: z.string().optional() });

/** What the lifecycle changes in Keepsake's own record of the sites. */
export type SiteLifecycle = Pick<SiteRegistry, 'markInstalled' | 'markUninstalled'>;

export function lifecycleRouter(addon: AddOn, registry: SiteLifecycle, installRecords: AceInstallRecords, logger: Logger): Router {
  const router = express.Router();
  const ace = aceVerification(addon, logger);

  router.post(
    '/installed',
    jsonBodiesOnly,
    ace.verifyInstallation(),
    handle(async (req, _res, next) => {
      const { clientKey, baseUrl } = lifecycleBody.parse(req.body);
      await registry.markInstalled(clientKey);
      await forgetImpersonationTokens(addon, clientKey);
      installRecords.forget(clientKey);
      logger.info({ clientKey, baseUrl }, 'installed');
      next();
    }),
    addon.postInstallation(),
  );

  router.post(
    '/uninstalled',
    jsonBodiesOnly,
    ace.authenticateInstall(),
    handle(async (req, res) => {
      const { clientKey } = lifecycleBody.parse(req.body);
      await registry.markUninstalled(clientKey);
      await addon.settings.del('clientInfo', clientKey);
      await forgetImpersonationTokens(addon, clientKey);
      installRecords.forget(clientKey);
      logger.info({ clientKey }, 'uninstalled');
      res.status(204).end();
    }),
  );

  for (const event of ['enabled', 'disabled'] as const) {
    router.post(`/${event}`, jsonBodiesOnly, ace.authenticate(), (req, res) => {
      logger.info({ clientKey: lifecycleBody.safeParse(req.body).data?.clientKey }, event);
      res.status(204).end();
    });
  }
  return router;
}
