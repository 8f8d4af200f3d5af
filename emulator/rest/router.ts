// The Confluence REST API of the site (/wiki/rest, UPM excepted): body as text, latency fault,
// authentication, injected faults, then the resources. The body is read before the latency:
// a call that has fully arrived is served even if its client is gone meanwhile, as a server
// serves it (a writer killed with its PUT in flight still lands it).
import express, { Router } from 'express';
import { restAuthentication } from '../auth/rest-authentication';
import type { EmulatorContext } from '../emulator-context';
import { appPropertiesRouter } from './app-properties';
import { contentRouter } from './content';
import { reportAccountsRouter } from './report-accounts';
import { userPropertiesRouter } from './user-properties';
import { usersRouter } from './users';

/** Bodies above this answer 413; well above every documented value limit, so those stay 400s. */
export const REST_BODY_LIMIT = '1mb';

export function restRouter(ctx: EmulatorContext): Router {
  const router = Router();
  router.use(express.text({ type: () => true, limit: REST_BODY_LIMIT }));
  router.use(ctx.faults.latency());
  router.use(restAuthentication(ctx));
  router.use(ctx.faults.inject());
  router.use(usersRouter(ctx));
  router.use(userPropertiesRouter(ctx));
  router.use(appPropertiesRouter(ctx));
  router.use(contentRouter(ctx));
  router.use(reportAccountsRouter(ctx));
  return router;
}
