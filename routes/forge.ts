/**
 * What Forge calls on Keepsake as its remote (manifest.yml's `modules.endpoint`): the daily
 * scheduled trigger, one call per installation. The platform's middleware has verified the
 * Forge Invocation Token and found the site; each job is safe to run twice (Forge retries).
 */
import express, { type RequestHandler, type Router } from 'express';
import { handle } from './handle';

export interface ForgeRoutes {
  /** Verifies the invocation token and leaves `{clientKey}` in `res.locals.forge`. */
  authenticate: RequestHandler;
  /** The site's daily upkeep; answers what it did. */
  daily: (clientKey: string) => Promise<Record<string, number>>;
}

export function forgeRouter({ authenticate, daily }: ForgeRoutes): Router {
  const router = express.Router();
  router.post(
    '/forge/scheduled/daily',
    authenticate,
    handle(async (_req, res) => {
      const { clientKey } = res.locals.forge as { clientKey: string };
      res.json({ ran: await daily(clientKey) });
    }),
  );
  return router;
}
