// GET|PUT /_emulator/settings, GET|POST|DELETE /_emulator/faults, GET|DELETE /_emulator/requests,
// POST /_emulator/reset: the switches of the emulated site.
import { Router } from 'express';
import type { EmulatorContext } from '../emulator-context';
import { faultPatchSchema } from '../faults';
import type { RequestLogFilter } from '../request-log';
import { mergeSettings, settingsPatchSchema } from '../settings';
import { seedSnapshot } from '../site';
import { validBody } from './validate-body';

function queryString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function controlSiteAdminRouter(ctx: EmulatorContext): Router {
  const router = Router();

  router.get('/settings', (_req, res) => {
    res.json(ctx.settings);
  });
  router.put('/settings', (req, res) => {
    ctx.settings = mergeSettings(ctx.settings, validBody(settingsPatchSchema, req));
    res.json(ctx.settings);
  });

  router.get('/faults', (_req, res) => {
    res.json(ctx.faults.current());
  });
  router.post('/faults', (req, res) => {
    res.json(ctx.faults.apply(validBody(faultPatchSchema, req)));
  });
  router.delete('/faults', (_req, res) => {
    ctx.faults.clear();
    res.status(204).end();
  });

  router.get('/requests', (req, res) => {
    const filter: RequestLogFilter = {
      appKey: queryString(req.query.appKey),
      authKind: queryString(req.query.authKind),
      method: queryString(req.query.method),
      pathPrefix: queryString(req.query.pathPrefix),
    };
    res.json(ctx.requestLog.list(filter));
  });
  router.delete('/requests', (_req, res) => {
    ctx.requestLog.clear();
    res.status(204).end();
  });

  router.post('/reset', (_req, res) => {
    ctx.site.load(seedSnapshot());
    ctx.settings = { ...ctx.startupSettings };
    ctx.faults.clear();
    ctx.requestLog.clear();
    res.status(204).end();
  });

  return router;
}
