// The control API under /_emulator/: JSON, loopback only, documented in docs/emulator.md.
import express, { Router } from 'express';
import type { EmulatorContext } from '../emulator-context';
import { controlForgeRouter } from '../forge/router';
import { controlAppsRouter } from './apps';
import { loopbackOnly } from './loopback-only';
import { controlSiteAdminRouter } from './site-admin';
import { controlSitesRouter } from './sites';
import { controlUserIframeRouter } from './user-iframe';
import { controlUsersRouter } from './users';

export function controlRouter(ctx: EmulatorContext): Router {
  const router = Router();
  router.use(loopbackOnly());
  router.use(express.json({ limit: '1mb' }));
  router.get('/', (_req, res) => {
    res.json({ siteId: ctx.siteId, ...ctx.urls, docs: 'docs/emulator.md' });
  });
  router.use(controlUsersRouter(ctx));
  router.use(controlAppsRouter(ctx));
  router.use(controlForgeRouter(ctx));
  router.use(controlUserIframeRouter(ctx));
  router.use(controlSiteAdminRouter(ctx));
  router.use(controlSitesRouter(ctx));
  return router;
}
