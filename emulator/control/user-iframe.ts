// What a user's iframe of an app gets from the host:
// POST /_emulator/context-token {appKey, accountId, context?} → {token}   (AP.context.getToken())
// POST /_emulator/ap-request {appKey, accountId, method, path, body?, contentType?, headers?}
//   → {status, headers, body, json?}                                     (AP.request)
import { Router } from 'express';
import { z } from 'zod';
import { callAsUser } from '../ap-request';
import { mintContextToken } from '../auth/context-token';
import type { EmulatorContext } from '../emulator-context';
import { HttpError } from '../errors';
import type { JsonObject } from '../site';
import { validBody } from './validate-body';

const contextTokenSchema = z.strictObject({
  appKey: z.string().min(1),
  accountId: z.string().min(1),
  context: z.record(z.string(), z.unknown()).optional(),
});

const apRequestSchema = z.strictObject({
  appKey: z.string().min(1),
  accountId: z.string().min(1),
  method: z.string().min(1),
  path: z.string().min(1),
  body: z.unknown().optional(),
  contentType: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});

function parsedJson(contentType: string | undefined, text: string): unknown {
  if (!contentType?.includes('json') || text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function controlUserIframeRouter(ctx: EmulatorContext): Router {
  const router = Router();

  router.post('/context-token', (req, res) => {
    const input = validBody(contextTokenSchema, req);
    const app = ctx.site.installedApp(input.appKey);
    if (!app) throw new HttpError(404, `The app ${input.appKey} is not installed on this site`);
    if (!ctx.site.findAccount(input.accountId)) throw new HttpError(404, `No user with accountId ${input.accountId}`);
    res.json({ token: mintContextToken(ctx, app, input.accountId, input.context as JsonObject | undefined) });
  });

  router.post('/ap-request', (req, res, next) => {
    const input = validBody(apRequestSchema, req);
    callAsUser(ctx, input).then((result) => {
      const json = parsedJson(result.headers['content-type'], result.body);
      res.json(json === undefined ? result : { ...result, json });
    }, next);
  });

  return router;
}
