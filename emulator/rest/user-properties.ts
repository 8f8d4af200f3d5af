// User properties, REST v1 (docs/platform-facts.md §1): list/get/create/update/delete under
// /wiki/rest/api/user/{accountId}/property. Storage identity: (site, app key, accountId, key).
import { Router, type Request } from 'express';
import { ACCOUNT_ID_PATTERN } from '../accounts';
import { callerOf, type Caller } from '../auth/caller';
import { requireScope } from '../auth/require-scope';
import type { EmulatorContext } from '../emulator-context';
import { HttpError } from '../errors';
import type { JsonObject, StoredUserProperty } from '../site';
import { isJsonObject, parseJsonBody } from './json-body';
import { linksFor } from './links';

const KEY_PATTERN = /^[-_a-zA-Z0-9]+$/;
const DEFAULT_LIMIT = 5;
const MAX_LIMIT = 25;

function propertyPath(accountId: string, key?: string): string {
  const base = `/rest/api/user/${encodeURIComponent(accountId)}/property`;
  return key === undefined ? base : `${base}/${encodeURIComponent(key)}`;
}

function checkAccountId(accountId: string): void {
  if (!ACCOUNT_ID_PATTERN.test(accountId)) {
    throw new HttpError(400, `"${accountId}" is not a valid accountId`);
  }
}

function checkKey(ctx: EmulatorContext, key: string): void {
  const max = ctx.settings.userPropertyMaxKeyLength;
  if (key.length > max) throw new HttpError(400, `The property key is ${key.length} characters long; the maximum is ${max}`);
  if (!KEY_PATTERN.test(key)) throw new HttpError(400, `The property key "${key}" must match ^[-_a-zA-Z0-9]+$`);
}

/** A call made as a user may only touch that user's own properties (setting asUserRestriction). */
function checkAsUserRestriction(ctx: EmulatorContext, caller: Caller, accountId: string): void {
  if (!ctx.settings.asUserRestriction || caller.accountId === undefined || caller.accountId === accountId) return;
  throw new HttpError(403, "A call made as a user may not read, change or delete another user's properties");
}

function checkUserExists(ctx: EmulatorContext, accountId: string): void {
  if (!ctx.site.findAccount(accountId)) throw new HttpError(404, `No user found with accountId ${accountId}`);
}

/** The app whose storage the caller uses. */
function appKeyOf(caller: Caller): string {
  if (!caller.app) throw new HttpError(401, 'User properties are only available to apps');
  return caller.app.key;
}

/** Reads `{"value": {object}}`, the only body Confluence accepts here. */
function readValue(ctx: EmulatorContext, req: Request): JsonObject {
  const body = parseJsonBody(req);
  if (!isJsonObject(body)) throw new HttpError(400, 'The request body must be a JSON object of the form {"value": {…}}');
  const extra = Object.keys(body).filter((k) => k !== 'value');
  if (extra.length > 0) {
    throw new HttpError(400, `The request body may only contain "value"; unexpected field(s): ${extra.map((k) => `"${k}"`).join(', ')}`);
  }
  const value = body.value;
  if (value === undefined || value === null) throw new HttpError(400, 'The property value is empty: the body must be {"value": {…}}');
  if (!isJsonObject(value)) {
    const kind = Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new HttpError(400, `The property value must be a JSON object, but "value" is ${kind}`);
  }
  const length = JSON.stringify(value).length;
  const max = ctx.settings.userPropertyMaxValueLength;
  if (length > max) throw new HttpError(400, `The property value is ${length} characters of JSON; the maximum is ${max}`);
  return value;
}

function parsePagingParam(req: Request, name: string, fallback: number): number {
  const raw = req.query[name];
  if (raw === undefined || raw === '') return fallback;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw)) throw new HttpError(400, `The query parameter ${name} must be a non-negative integer`);
  return Number(raw);
}

function propertyBody(ctx: EmulatorContext, accountId: string, p: StoredUserProperty): object {
  return {
    key: p.key,
    value: p.value,
    id: p.id,
    lastModifiedDate: p.lastModifiedDate,
    createdDate: p.createdDate,
    _links: linksFor(ctx.urls, propertyPath(accountId, p.key)),
  };
}

export function userPropertiesRouter(ctx: EmulatorContext): Router {
  const router = Router();

  /** The checks every operation shares, in order: scope, ids, as-user restriction, user. */
  function prepare(req: Request, caller: Caller, writes: boolean, withKey: boolean): { appKey: string; accountId: string; key: string } {
    requireScope(caller, writes ? 'WRITE' : 'READ');
    const accountId = req.params.userId;
    const key = withKey ? req.params.key : '';
    checkAccountId(accountId);
    if (withKey) checkKey(ctx, key);
    checkAsUserRestriction(ctx, caller, accountId);
    checkUserExists(ctx, accountId);
    return { appKey: appKeyOf(caller), accountId, key };
  }

  router.get('/api/user/:userId/property', (req, res) => {
    const { appKey, accountId } = prepare(req, callerOf(res), false, false);
    const start = parsePagingParam(req, 'start', 0);
    const limit = Math.min(parsePagingParam(req, 'limit', DEFAULT_LIMIT), MAX_LIMIT);
    const all = ctx.site.userProperties(appKey, accountId);
    const page = all.slice(start, start + limit);
    const links = linksFor(ctx.urls, propertyPath(accountId));
    if (start + limit < all.length) links.next = `${propertyPath(accountId)}?start=${start + limit}&limit=${limit}`;
    res.json({ results: page.map((p) => ({ key: p.key })), start, limit, size: page.length, _links: links });
  });

  router.get('/api/user/:userId/property/:key', (req, res) => {
    const { appKey, accountId, key } = prepare(req, callerOf(res), false, true);
    const property = ctx.site.findUserProperty(appKey, accountId, key);
    if (!property) throw new HttpError(404, `No property with key ${key} found for user ${accountId}`);
    res.json(propertyBody(ctx, accountId, property));
  });

  router.post('/api/user/:userId/property/:key', (req, res) => {
    const { appKey, accountId, key } = prepare(req, callerOf(res), true, true);
    const value = readValue(ctx, req);
    if (ctx.site.findUserProperty(appKey, accountId, key)) {
      throw new HttpError(409, `A property with key ${key} already exists for user ${accountId}; use PUT to update it`);
    }
    const max = ctx.settings.userPropertyMaxPerUser;
    if (ctx.site.userProperties(appKey, accountId).length >= max) {
      throw new HttpError(400, `The limit of ${max} properties per user for this app is reached`);
    }
    ctx.site.createUserProperty(appKey, accountId, key, value, new Date().toISOString());
    res.status(201).end();
  });

  router.put('/api/user/:userId/property/:key', (req, res) => {
    const { appKey, accountId, key } = prepare(req, callerOf(res), true, true);
    const value = readValue(ctx, req);
    if (!ctx.site.updateUserProperty(appKey, accountId, key, value, new Date().toISOString())) {
      throw new HttpError(404, `No property with key ${key} found for user ${accountId}; use POST to create it`);
    }
    res.status(204).end();
  });

  router.delete('/api/user/:userId/property/:key', (req, res) => {
    const { appKey, accountId, key } = prepare(req, callerOf(res), true, true);
    if (!ctx.site.deleteUserProperty(appKey, accountId, key)) {
      throw new HttpError(404, `No property with key ${key} found for user ${accountId}`);
    }
    res.status(204).end();
  });

  return router;
}
