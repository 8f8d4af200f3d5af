/** Probes for the platform: `/healthz` says the process answers, `/readyz` that the database does too. */
import express, { type Router } from 'express';
import type { Sequelize } from 'sequelize';

export function healthRouter(sequelize: Sequelize): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res) => {
    sequelize.authenticate().then(
      () => res.json({ status: 'ready' }),
      () => res.status(503).json({ code: 'NOT_READY', message: 'The database does not answer.' }),
    );
  });
  return router;
}
