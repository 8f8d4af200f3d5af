// App (add-on) properties (docs/platform-facts.md §2) under
// /wiki/rest/atlassian-connect/1/addons/{appKey}/properties. Only the owning app sees them:
// anyone else gets 404, never 403. Scope NONE. The PUT body is the raw JSON value.
import { Router, type Request } from 'express';
import { callerOf } from '../auth/caller';
import type { EmulatorContext } from '../emulator-context';
import { HttpError } from '../errors';
import { bodyText } from './json-body';

function propertiesPath(appKey: string): string {
  return `/rest/atlassian-connect/1/addons/${encodeURIComponent(appKey)}/properties`;
}

export function appPropertiesRouter(ctx: EmulatorContext): Router {
  const router = Router();

  const selfUrl = (appKey: string, key: string): string => `${ctx.urls.siteUrl}${propertiesPath(appKey)}/${encodeURIComponent(key)}`;

  /** The path's app must be the calling app; otherwise the properties do not exist for the caller. */
  function ownAppKey(req: Request, res: Parameters<typeof callerOf>[0]): string {
    const appKey = req.params.appKey;
    if (callerOf(res).app?.key !== appKey) throw new HttpError(404, `No app properties of app ${appKey} are visible to the caller`);
    return appKey;
  }

  function checkKey(key: string): void {
    const max = ctx.settings.appPropertyMaxKeyLength;
    if (key.length > max) throw new HttpError(400, `The property key is ${key.length} characters long; the maximum is ${max}`);
  }

  function readValue(req: Request): unknown {
    const text = bodyText(req);
    if (text.trim() === '') throw new HttpError(400, 'The request body is empty; it must be the property value as JSON');
    let value: unknown;
    try {
      value = JSON.parse(text) as unknown;
    } catch (err) {
      throw new HttpError(400, `The request body is not valid JSON: ${(err as Error).message}`);
    }
    const length = JSON.stringify(value).length;
    const max = ctx.settings.appPropertyMaxValueLength;
    if (length > max) throw new HttpError(400, `The property value is ${length} characters of JSON; the maximum is ${max}`);
    return value;
  }

  router.get('/atlassian-connect/1/addons/:appKey/properties', (req, res) => {
    const appKey = ownAppKey(req, res);
    res.json({ keys: ctx.site.appProperties(appKey).map((p) => ({ key: p.key, self: selfUrl(appKey, p.key) })) });
  });

  router.get('/atlassian-connect/1/addons/:appKey/properties/:key', (req, res) => {
    const appKey = ownAppKey(req, res);
    const key = req.params.key;
    checkKey(key);
    const property = ctx.site.findAppProperty(appKey, key);
    if (!property) throw new HttpError(404, `No app property with key ${key}`);
    res.json({ key, value: property.value, self: selfUrl(appKey, key) });
  });

  router.put('/atlassian-connect/1/addons/:appKey/properties/:key', (req, res) => {
    const appKey = ownAppKey(req, res);
    const key = req.params.key;
    checkKey(key);
    const value = readValue(req);
    const exists = ctx.site.findAppProperty(appKey, key) !== undefined;
    const max = ctx.settings.appPropertyMaxPerApp;
    if (!exists && ctx.site.appProperties(appKey).length >= max) {
      throw new HttpError(400, `The limit of ${max} properties per app is reached`);
    }
    const created = ctx.site.setAppProperty(appKey, key, value);
    const status = created ? 201 : 200;
    res.status(status).json({ message: created ? 'Property created.' : 'Property updated.', statusCode: status });
  });

  router.delete('/atlassian-connect/1/addons/:appKey/properties/:key', (req, res) => {
    const appKey = ownAppKey(req, res);
    const key = req.params.key;
    checkKey(key);
    if (!ctx.site.deleteAppProperty(appKey, key)) throw new HttpError(404, `No app property with key ${key}`);
    res.status(204).end();
  });

  return router;
}
