// The Confluence REST API of the site (/wiki/rest, UPM excepted): latency fault, body as text,
// authentication, injected faults, then the resources.
import express, { Router } from 'express';
import { restAuthentication } from '../auth/rest-authentication';
import type { EmulatorContext } from '../emulator-context';
import { appPropertiesRouter } from './app-properties';
import { contentRouter } from './content';
import { userPropertiesRouter } from './user-properties';
import { usersRouter } from './users';

/** Bodies above this answer 413; well above every documented value limit, so those stay 400s. */
export const REST_BODY_LIMIT = '1mb';

export function restRouter(ctx: EmulatorContext): Router {
  const router = Router();
  router.use(ctx.faults.latency());
  router.use(express.text({ type: () => true, limit: REST_BODY_LIMIT }));
  router.use(restAuthentication(ctx));
  router.use(ctx.faults.inject());
  router.use(usersRouter(ctx));
  router.use(userPropertiesRouter(ctx));
  router.use(appPropertiesRouter(ctx));
  router.use(contentRouter(ctx));
  return router;
}
