// What the host page's bridge asks the emulator for, as the signed-in user (session cookie):
//   POST /_emulator/host/api/context-token {appKey, context?} → {token}        AP.context.getToken()
//   POST /_emulator/host/api/request {appKey, method, path, body?, contentType?, headers?}
//        → {status, statusText, headers, body}                                 AP.request()
//   POST /_emulator/host/api/iframe-url {appKey, moduleKey, productContext?} → {url}   content resolver
// Each call must carry X-Emulator-Host (so an app's iframe on another origin cannot make one
// without a CORS preflight, never granted) and a valid session.
import { STATUS_CODES } from 'node:http';
import express, { Router, type Request } from 'express';
import { z } from 'zod';
import type { Account } from '../accounts';
import { callAsUser } from '../ap-request';
import { mintContextToken } from '../auth/context-token';
import type { EmulatorContext } from '../emulator-context';
import { HttpError } from '../errors';
import type { JsonObject } from '../site';
import { validBody } from '../control/validate-body';
import { findModule } from './app-modules';
import { iframeUrl, type PageContext } from './iframe-url';
import { signedInAccount } from './session';

const HOST_API_HEADER = 'x-emulator-host';

const tokenSchema = z.strictObject({ appKey: z.string().min(1), context: z.record(z.string(), z.unknown()).optional() });
const requestSchema = z.strictObject({
  appKey: z.string().min(1),
  method: z.string().min(1),
  path: z.string().min(1),
  body: z.string().optional(),
  contentType: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});
const iframeUrlSchema = z.strictObject({
  appKey: z.string().min(1),
  moduleKey: z.string().min(1),
  productContext: z.record(z.string(), z.unknown()).optional(),
});

function caller(ctx: EmulatorContext, req: Request): Account {
  if (req.get(HOST_API_HEADER) !== '1')
    throw new HttpError(403, 'Host API calls come from the host page only (X-Emulator-Host header missing)');
  const user = signedInAccount(ctx, req);
  if (!user) throw new HttpError(401, 'Nobody is signed in to the emulated site in this browser');
  return user;
}

function installed(ctx: EmulatorContext, appKey: string) {
  const app = ctx.site.installedApp(appKey);
  if (!app) throw new HttpError(404, `The app ${appKey} is not installed on this site`);
  return app;
}

/** The page a product context names, back in the shape iframe URLs are built from. */
function pageContextOf(productContext: Record<string, unknown> | undefined): PageContext {
  const confluence = (productContext?.confluence ?? {}) as { content?: { id?: string }; space?: { id?: string; key?: string } };
  return {
    ...(confluence.content?.id ? { page: { id: confluence.content.id } } : {}),
    ...(confluence.space?.key ? { space: { key: confluence.space.key, id: Number(confluence.space.id ?? 0) } } : {}),
  };
}

export function hostApiRouter(ctx: EmulatorContext): Router {
  const router = Router();
  router.use(express.json({ limit: '1mb' }));

  router.post('/context-token', (req, res) => {
    const user = caller(ctx, req);
    const input = validBody(tokenSchema, req);
    res.json({ token: mintContextToken(ctx, installed(ctx, input.appKey), user.accountId, (input.context ?? {}) as JsonObject) });
  });

  router.post('/request', (req, res, next) => {
    const user = caller(ctx, req);
    const input = validBody(requestSchema, req);
    installed(ctx, input.appKey);
    callAsUser(ctx, { ...input, accountId: user.accountId }).then(
      (answer) =>
        res.json({ status: answer.status, statusText: STATUS_CODES[answer.status] ?? '', headers: answer.headers, body: answer.body }),
      next,
    );
  });

  router.post('/iframe-url', (req, res) => {
    const user = caller(ctx, req);
    const input = validBody(iframeUrlSchema, req);
    const module = findModule(installed(ctx, input.appKey), input.moduleKey);
    if (!module) throw new HttpError(404, `The app ${input.appKey} has no module ${input.moduleKey}`);
    res.json({ url: iframeUrl(ctx, module, user, pageContextOf(input.productContext)) });
  });

  return router;
}
