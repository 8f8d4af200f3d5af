/** Probes for the platform: `/healthz` says the process answers, `/readyz` that the database does too. */
import express, { type Router } from 'express';
import type { Sequelize } from 'sequelize';
import { KeepsakeError } from '../lib/errors';
import { sendError } from './error-handler';

export function healthRouter(sequelize: Sequelize): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res) => {
    sequelize.authenticate().then(
      () => res.json({ status: 'ready' }),
      () => sendError(res, new KeepsakeError('NOT_READY', 'The database does not answer.')),
    );
  });
  return router;
}
