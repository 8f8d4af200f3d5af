// GET    /_emulator/sites                         → [site]: every site of this emulator process
// POST   /_emulator/sites {id?, port?, settings?} → 201 site: another site, on its own port
// GET    /_emulator/sites/{id}                    → site
// DELETE /_emulator/sites/{id}                    → 204: stops it (not the first site: 409)
// Answered on every site's address: the sites belong to the process, not to one site.
import { Router } from 'express';
import { z } from 'zod';
import { ADMIN_CREDENTIALS } from '../accounts';
import { DEFAULT_SITE_ID, type EmulatorContext } from '../emulator-context';
import { HttpError } from '../errors';
import { settingsPatchSchema } from '../settings';
import type { HostedSite } from '../sites';
import { validBody } from './validate-body';

const addSiteSchema = z.strictObject({
  id: z.string().optional(),
  port: z.number().int().min(0).max(65535).optional(),
  settings: settingsPatchSchema.optional(),
});

function summary({ id, port, context }: HostedSite): object {
  return {
    id,
    default: id === DEFAULT_SITE_ID,
    ...context.urls,
    port,
    registrationUrl: `http://${ADMIN_CREDENTIALS.username}:${ADMIN_CREDENTIALS.password}@localhost:${port}/wiki`,
    controlUrl: `${context.urls.baseUrl}/_emulator`,
  };
}

export function controlSitesRouter(ctx: EmulatorContext): Router {
  const router = Router();
  router.get('/sites', (_req, res) => {
    res.json(ctx.sites.list().map(summary));
  });
  router.get('/sites/:id', (req, res) => {
    const site = ctx.sites.find(req.params.id);
    if (!site) throw new HttpError(404, `No site ${req.params.id} in this emulator`);
    res.json(summary(site));
  });
  router.post('/sites', (req, res, next) => {
    ctx.sites.add(validBody(addSiteSchema, req)).then((site) => res.status(201).json(summary(site)), next);
  });
  router.delete('/sites/:id', (req, res, next) => {
    const { id } = req.params;
    if (id === ctx.siteId && id !== DEFAULT_SITE_ID) {
      // The site answering this call: answer first, then close its connections, this one too.
      const answered = new Promise<void>((resolve) => res.once('finish', () => resolve()).once('close', () => resolve()));
      res.status(204).end();
      ctx.sites.remove(id, answered).catch((err: unknown) => ctx.logger.error({ err }, 'could not stop the site'));
      return;
    }
    ctx.sites.remove(id).then((removed) => {
      if (removed) res.status(204).end();
      else next(new HttpError(404, `No site ${id} in this emulator`));
    }, next);
  });
  return router;
}
