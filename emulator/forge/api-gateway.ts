// The API base URL of Forge tokens: a remote calls `${app.apiBaseUrl}/wiki/rest/api/...` with
// app.apiBaseUrl = https://api.atlassian.com/ex/confluence/<cloudId> (documented:
// https://developer.atlassian.com/platform/forge/remote/calling-product-apis/). The emulator
// serves /ex/confluence/<its cloudId>/wiki/rest/... by handing the call to its own /wiki/rest
// (same faults, request log and resources), marked so that authentication accepts Forge app
// tokens there and only there. Mounted before every other router (server.ts).
import type { Request, RequestHandler } from 'express';
import type { EmulatorContext } from '../emulator-context';
import { sendError } from '../errors';
import { API_GATEWAY_PREFIX, cloudIdOf } from './site-identity';

const viaGateway = new WeakSet<Request>();

export function cameThroughApiGateway(req: Request): boolean {
  return viaGateway.has(req);
}

export function forgeApiGateway(ctx: EmulatorContext): RequestHandler {
  return (req, res, next) => {
    if (!req.url.startsWith(`${API_GATEWAY_PREFIX}/`)) {
      next();
      return;
    }
    const match = /^\/ex\/confluence\/([^/?]+)(\/wiki\/rest(?:[/?].*)?)$/.exec(req.url);
    if (!match || match[2].startsWith('/wiki/rest/plugins/')) {
      sendError(req, res, 404, `Only ${API_GATEWAY_PREFIX}/<cloudId>/wiki/rest/... is served here`);
      return;
    }
    if (decodeURIComponent(match[1]) !== cloudIdOf(ctx)) {
      sendError(req, res, 404, `No site with cloudId ${match[1]} here; this site's cloudId is ${cloudIdOf(ctx)}`);
      return;
    }
    viaGateway.add(req);
    req.url = match[2];
    req.originalUrl = match[2];
    next();
  };
}
