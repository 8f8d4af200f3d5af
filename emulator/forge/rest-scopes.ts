// Which Forge (OAuth 2.0) scopes each REST operation of the emulator asks of a Forge app token.
// Each entry lists alternatives: holding every scope of one alternative is enough (Atlassian's
// reference lists a "Current" classic set and a "Beta" granular set per operation).
//
// Documented (the v1 OpenAPI's x-atlassian-oauth2-scopes, https://dac-static.atlassian.com/cloud/confluence/swagger.v3.json,
// and https://developer.atlassian.com/cloud/confluence/rest/v1/api-group-user-properties/):
// user properties, users, the permission check. App properties: read:app-data:confluence is
// documented (https://developer.atlassian.com/cloud/confluence/app-properties-api/); the
// write scope is assumed by analogy. Content by id, content lists and spaces: assumed (the
// scope names exist in the reference; the per-operation choice was not checked offline).
// A route not listed is refused (conservative, assumed).

export interface ScopeRule {
  method: string;
  /** Matched against the path under /wiki/rest. */
  path: RegExp;
  anyOf: string[][];
  documented: boolean;
}

const USER_PROPERTY = /^\/api\/user\/[^/]+\/property(\/[^/]+)?$/;
const APP_PROPERTY = /^\/atlassian-connect\/1\/addons\/[^/]+\/properties(\/[^/]+)?$/;

export const FORGE_SCOPE_RULES: ScopeRule[] = [
  { method: 'GET', path: USER_PROPERTY, anyOf: [['read:user.property:confluence']], documented: true },
  { method: 'POST', path: USER_PROPERTY, anyOf: [['write:user.property:confluence']], documented: true },
  { method: 'PUT', path: USER_PROPERTY, anyOf: [['write:user.property:confluence']], documented: true },
  { method: 'DELETE', path: USER_PROPERTY, anyOf: [['write:user.property:confluence']], documented: true },
  { method: 'GET', path: APP_PROPERTY, anyOf: [['read:app-data:confluence']], documented: true },
  { method: 'PUT', path: APP_PROPERTY, anyOf: [['write:app-data:confluence']], documented: false },
  { method: 'DELETE', path: APP_PROPERTY, anyOf: [['write:app-data:confluence']], documented: false },
  {
    method: 'GET',
    path: /^\/api\/user\/(current|bulk)$/,
    anyOf: [['read:confluence-user'], ['read:content-details:confluence']],
    documented: true,
  },
  { method: 'GET', path: /^\/api\/user$/, anyOf: [['read:confluence-user'], ['read:content-details:confluence']], documented: true },
  {
    method: 'GET',
    path: /^\/api\/user\/memberof$/,
    anyOf: [['read:confluence-user'], ['read:user:confluence', 'read:group:confluence']],
    documented: true,
  },
  {
    method: 'POST',
    path: /^\/api\/content\/[^/]+\/permission\/check$/,
    anyOf: [['read:confluence-content.permission'], ['read:content.permission:confluence']],
    documented: true,
  },
  {
    method: 'GET',
    path: /^\/api\/content\/[^/]+$/,
    anyOf: [['read:confluence-content.all'], ['read:content-details:confluence']],
    documented: false,
  },
  {
    method: 'GET',
    path: /^\/api\/content$/,
    anyOf: [['read:confluence-content.summary'], ['read:content-details:confluence']],
    documented: false,
  },
  {
    method: 'GET',
    path: /^\/api\/space(\/[^/]+)?$/,
    anyOf: [['read:confluence-space.summary'], ['read:space-details:confluence']],
    documented: false,
  },
];

export type ScopeCheck = { ok: true } | { ok: false; message: string };

/** Whether `granted` covers the operation `method path` (path relative to /wiki/rest). */
export function checkForgeScopes(method: string, path: string, granted: ReadonlySet<string>): ScopeCheck {
  const rule = FORGE_SCOPE_RULES.find((r) => r.method === method && r.path.test(path));
  if (!rule)
    return {
      ok: false,
      message: `No Forge scope grants ${method} /wiki/rest${path} in this emulator, so Forge app tokens may not call it`,
    };
  if (rule.anyOf.some((set) => set.every((s) => granted.has(s)))) return { ok: true };
  const needed = rule.anyOf.map((set) => set.join(' + ')).join(' or ');
  return {
    ok: false,
    message: `This Forge app token lacks the scope this operation requires: ${needed} (declare it in permissions.scopes)`,
  };
}
