/**
 * The app's home page: the descriptor's `links.homepage` and `vendor.url` (both the base URL),
 * which Confluence shows in Manage apps. A plain page, served with every answer's headers
 * (routes/security-headers.ts: nothing to load, not embeddable), without Connect's all.js.
 */
import express, { type Router } from 'express';

export function homeRouter(): Router {
  const router = express.Router();
  router.get('/', (_req, res) => {
    res.render('home', { layout: false });
  });
  return router;
}
