// GET    /_emulator/apps            → [{key, clientKey, baseUrl, status, installedVia, installationId}]
// POST   /_emulator/apps {descriptorUrl} → installs synchronously (same path as UPM) → 201 app
// GET    /_emulator/apps/{key}      → the app in full, sharedSecret included (for tests)
// DELETE /_emulator/apps/{key}      → uninstalls (uninstalled callback included) → 204
import { Router } from 'express';
import { z } from 'zod';
import type { EmulatorContext } from '../emulator-context';
import { HttpError } from '../errors';
import { InstallError, installApp, uninstallApp } from '../install/lifecycle';
import type { InstalledApp } from '../site';
import { validBody } from './validate-body';

const installSchema = z.strictObject({ descriptorUrl: z.url() });

function summary(app: InstalledApp): object {
  return {
    key: app.key,
    clientKey: app.clientKey,
    baseUrl: app.baseUrl,
    status: app.status,
    installedVia: app.installedVia ?? 'connect',
    installationId: app.forge?.installationId ?? null,
  };
}

export function controlAppsRouter(ctx: EmulatorContext): Router {
  const router = Router();
  router.get('/apps', (_req, res) => {
    res.json(ctx.site.listApps().map(summary));
  });
  router.get('/apps/:key', (req, res) => {
    const app = ctx.site.findApp(req.params.key);
    if (!app) throw new HttpError(404, `No app ${req.params.key} has been installed on this site`);
    res.json({ ...app });
  });
  router.post('/apps', (req, res, next) => {
    const { descriptorUrl } = validBody(installSchema, req);
    installApp(ctx, descriptorUrl).then(
      (app) => {
        res
          .status(201)
          .json({ ...summary(app), name: app.name, scopes: app.scopes, oauthClientId: app.oauthClientId, installedAt: app.installedAt });
      },
      (err: unknown) => {
        if (err instanceof InstallError) next(new HttpError(400, err.message));
        else next(err);
      },
    );
  });
  router.delete('/apps/:key', (req, res, next) => {
    uninstallApp(ctx, req.params.key).then((removed) => {
      if (!removed) next(new HttpError(404, `The app ${req.params.key} is not installed`));
      else res.status(204).end();
    }, next);
  });
  return router;
}
