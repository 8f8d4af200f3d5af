/**
 * Static files under /public. Built front-end bundles have content-hashed names, so they are
 * cached for a year and never revalidated; everything else is revalidated on each use.
 */
import { join } from 'node:path';
import express, { type Router } from 'express';

export function assetsRouter(root = join(process.cwd(), 'public')): Router {
  const router = express.Router();
  router.use(
    '/public',
    express.static(root, {
      index: false,
      // A directory is not a file: a 404 with a code, not a redirect to it.
      redirect: false,
      fallthrough: true,
      setHeaders(res, path) {
        res.setHeader('Cache-Control', /[\\/]build[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  return router;
}
