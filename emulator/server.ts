// Assembles the emulator's HTTP surface. Each part is a router mounted at its path; the host
// pages (emulator/host/) are always there, and callers may add more through `extraRouters`.
import express, { type Express, type RequestHandler, type Router } from 'express';
import { adminBasicAuth } from './auth/admin-basic-auth';
import { installKeysRouter } from './auth/install-keys';
import { oauthTokenRouter } from './auth/oauth-token-endpoint';
import { controlRouter } from './control/router';
import type { EmulatorContext } from './emulator-context';
import { errorHandler, notFoundHandler } from './errors';
import { forgeApiGateway } from './forge/api-gateway';
import { hostPageRouters } from './host/router';
import { upmRouter } from './install/upm';
import { REST_BODY_LIMIT, restRouter } from './rest/router';

export interface MountedRouter {
  path: string;
  router: Router | RequestHandler;
}

export function createServerApp(ctx: EmulatorContext, extraRouters: MountedRouter[] = []): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  const routers: MountedRouter[] = [
    // Forge app tokens' API base URL, /ex/confluence/<cloudId>/wiki/rest → /wiki/rest (first: it rewrites the URL).
    { path: '/', router: forgeApiGateway(ctx) },
    { path: '/connect-keys', router: installKeysRouter(ctx.installKeys) },
    { path: '/oauth2', router: ctx.requestLog.record() },
    { path: '/oauth2', router: oauthTokenRouter(ctx) },
    { path: '/wiki/rest', router: ctx.requestLog.record() },
    {
      path: '/wiki/rest/plugins/1.0',
      router: express.Router().use(express.text({ type: () => true, limit: REST_BODY_LIMIT }), adminBasicAuth(), upmRouter(ctx)),
    },
    { path: '/wiki/rest', router: restRouter(ctx) },
    { path: '/_emulator', router: controlRouter(ctx) },
    ...hostPageRouters(ctx),
    ...extraRouters,
  ];
  for (const { path, router } of routers) app.use(path, router);

  app.use(notFoundHandler());
  app.use(errorHandler(ctx.logger));
  return app;
}
