// The control API's Forge part (docs/emulator.md "Forge installs"), mounted under /_emulator:
// POST   /forge/installations {manifest, name?, upgrade?} → 201 install / 200 update
// GET    /forge/installations                              → the Forge installations
// DELETE /forge/installations/{installationId}             → uninstall → 204
// GET    /forge/jwks                                       → the FIT public keys
// POST   /forge/fit {appKey, accountId?, endpoint?, ttlSeconds?} → {token, headers}
// POST   /forge/scheduled-triggers/run {appKey, key}       → {status, body, ok, attempts, url}
import { Router } from 'express';
import { z } from 'zod';
import type { EmulatorContext } from '../emulator-context';
import { HttpError } from '../errors';
import { InstallError } from '../install/lifecycle';
import type { InstalledApp } from '../site';
import { validBody } from '../control/validate-body';
import { mintForgeAppToken } from './app-tokens';
import { ForgeConflictError, findForgeInstallation, installForgeApp, installedForgeApps, uninstallForgeApp } from './install';
import { forgeJwks, mintInvocationToken } from './invocation-token';
import { ManifestError, readForgeApp } from './manifest';
import { TriggerError, runScheduledTrigger } from './scheduled-triggers';

const installSchema = z.strictObject({
  manifest: z.string().min(1),
  name: z.string().min(1).max(255).optional(),
  upgrade: z.boolean().optional(),
});
const fitSchema = z.strictObject({
  appKey: z.string().min(1),
  accountId: z.string().min(1).optional(),
  endpoint: z.string().min(1).optional(),
  ttlSeconds: z.number().int().min(-3600).max(86_400).optional(),
});
const runSchema = z.strictObject({ appKey: z.string().min(1), key: z.string().min(1) });

function installationSummary(app: InstalledApp): { installationId: string; appId: string; appKey: string; appVersion: string } {
  const forge = app.forge;
  if (!forge) throw new Error('not a Forge installation');
  return {
    installationId: forge.installationId,
    appId: forge.appId,
    appKey: app.key,
    appVersion: `${forge.majorVersion}.${forge.minorVersion}.0`,
  };
}

function forgeAppByKey(ctx: EmulatorContext, appKey: string): InstalledApp {
  const app = installedForgeApps(ctx).find((a) => a.key === appKey);
  if (!app) throw new HttpError(404, `No app with app.connect.key ${appKey} is installed on this site through Forge`);
  return app;
}

export function controlForgeRouter(ctx: EmulatorContext): Router {
  const router = Router();

  router.post('/forge/installations', (req, res, next) => {
    const { manifest, name, upgrade } = validBody(installSchema, req);
    installForgeApp(ctx, manifest, { name, upgrade }).then(
      ({ app, outcome, reasons }) => {
        if (outcome === 'installed') res.status(201).json(installationSummary(app));
        else res.status(200).json({ ...installationSummary(app), update: outcome, reasons });
      },
      (err: unknown) => {
        if (err instanceof ManifestError || err instanceof InstallError) next(new HttpError(400, err.message));
        else if (err instanceof ForgeConflictError) next(new HttpError(409, err.message));
        else next(err);
      },
    );
  });

  router.get('/forge/installations', (_req, res) => {
    res.json(installedForgeApps(ctx).map(installationSummary));
  });

  router.delete('/forge/installations/:installationId', (req, res, next) => {
    uninstallForgeApp(ctx, req.params.installationId).then((removed) => {
      if (!removed) next(new HttpError(404, `No Forge installation ${req.params.installationId} on this site`));
      else res.status(204).end();
    }, next);
  });

  router.get('/forge/jwks', (_req, res) => {
    res.json(forgeJwks(ctx));
  });

  // What Forge sends a remote when a UI module invokes `endpoint` for `accountId` (or with no user).
  router.post('/forge/fit', (req, res) => {
    const body = validBody(fitSchema, req);
    const app = forgeAppByKey(ctx, body.appKey);
    if (body.accountId !== undefined && !ctx.site.findAccount(body.accountId))
      throw new HttpError(404, `No user ${body.accountId} on this site`);
    const forgeApp = readForgeApp(app.forge?.manifest ?? {});
    const endpointKey = body.endpoint ?? [...forgeApp.endpoints.keys()][0];
    const endpoint = endpointKey === undefined ? undefined : forgeApp.endpoints.get(endpointKey);
    if (!endpoint) {
      const which = body.endpoint === undefined ? 'modules.endpoint' : `modules.endpoint ${body.endpoint}`;
      throw new HttpError(400, `The app ${app.key} has no ${which}: Forge invokes a remote only through an endpoint`);
    }
    const token = mintInvocationToken(ctx, { app, endpointKey: endpoint.key, accountId: body.accountId, ttlSeconds: body.ttlSeconds });
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (endpoint.appSystemToken && forgeApp.scopes.includes('read:app-system-token'))
      headers['x-forge-oauth-system'] = mintForgeAppToken(ctx, app, 'system');
    if (body.accountId !== undefined && endpoint.appUserToken && forgeApp.scopes.includes('read:app-user-token')) {
      headers['x-forge-oauth-user'] = mintForgeAppToken(ctx, app, 'user', body.accountId);
    }
    res.json({ token, headers });
  });

  router.post('/forge/scheduled-triggers/run', (req, res, next) => {
    const { appKey, key } = validBody(runSchema, req);
    const app = forgeAppByKey(ctx, appKey);
    runScheduledTrigger(ctx, app, key).then(
      (run) => res.json(run),
      (err: unknown) => next(err instanceof TriggerError ? new HttpError(err.status, err.message) : err),
    );
  });

  // An installation id in a path (for scripts that only have the id) is found by ARI or UUID.
  router.get('/forge/installations/:installationId', (req, res) => {
    const app = findForgeInstallation(ctx, req.params.installationId);
    if (!app) throw new HttpError(404, `No Forge installation ${req.params.installationId} on this site`);
    res.json(installationSummary(app));
  });

  return router;
}
