// Connect conditions as Confluence evaluates them for a module
// (https://developer.atlassian.com/cloud/confluence/conditions/): a list means all of them,
// `{and: […]}` / `{or: […]}` combine, `invert` negates. Supported: user_is_logged_in,
// user_is_confluence_administrator and the addon_property_* family (exists, equal_to,
// contains_any, contains_all, contains_any_user_group), read from the app's own app
// properties. Any other condition is false (the module is hidden) and logged, the
// conservative choice. Conditions are not a security boundary (the page above says so).
import type { Account } from '../accounts';
import type { EmulatorContext } from '../emulator-context';
import type { InstalledApp, JsonObject } from '../site';

export interface ConditionScope {
  ctx: EmulatorContext;
  app: InstalledApp;
  user: Account | undefined;
}

/** Groups as the emulator's `user/memberof` reports them (docs/emulator.md, names assumed). */
function groupsOf(user: Account | undefined): string[] {
  if (!user) return [];
  return user.siteAdmin ? ['confluence-users', 'site-admins', 'confluence-admins'] : ['confluence-users'];
}

function propertyValue(scope: ConditionScope, params: JsonObject): { found: boolean; value: unknown } {
  const key = typeof params.propertyKey === 'string' ? params.propertyKey : '';
  const property = scope.ctx.site.findAppProperty(scope.app.key, key);
  if (!property) return { found: false, value: undefined };
  let value: unknown = property.value;
  if (typeof params.objectName === 'string' && params.objectName !== '') {
    for (const part of params.objectName.split('.')) {
      value = typeof value === 'object' && value !== null ? (value as JsonObject)[part] : undefined;
    }
  }
  return { found: value !== undefined, value };
}

/** `value` params are strings: a JSON value, or for the contains_* family a JSON array or a comma-separated list (assumed). */
function listParam(raw: unknown): string[] {
  if (typeof raw !== 'string') return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    if (Array.isArray(parsed)) return parsed.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  } catch {
    // not JSON: a plain list
  }
  return raw
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function single(scope: ConditionScope, name: string, params: JsonObject): boolean {
  switch (name) {
    case 'user_is_logged_in':
      return scope.user !== undefined;
    case 'user_is_confluence_administrator':
      return scope.user?.siteAdmin === true;
    case 'addon_property_exists':
      return propertyValue(scope, params).found;
    case 'addon_property_equal_to': {
      const { found, value } = propertyValue(scope, params);
      return found && asText(value) === String(params.value);
    }
    case 'addon_property_contains_any':
    case 'addon_property_contains_all': {
      const { value } = propertyValue(scope, params);
      const have = Array.isArray(value) ? value.map(asText) : [];
      const wanted = listParam(params.value);
      return name.endsWith('_any') ? wanted.some((w) => have.includes(w)) : wanted.length > 0 && wanted.every((w) => have.includes(w));
    }
    case 'addon_property_contains_any_user_group': {
      const { value } = propertyValue(scope, params);
      const groups = Array.isArray(value) ? value.map(asText) : [];
      return groupsOf(scope.user).some((g) => groups.includes(g));
    }
    default:
      scope.ctx.logger.warn({ app: scope.app.key, condition: name }, 'condition not supported by the emulator; treated as false');
      return false;
  }
}

export function conditionHolds(scope: ConditionScope, condition: unknown): boolean {
  if (typeof condition !== 'object' || condition === null) return false;
  const c = condition as JsonObject;
  let result: boolean;
  if (Array.isArray(c.and)) result = c.and.every((sub) => conditionHolds(scope, sub));
  else if (Array.isArray(c.or)) result = c.or.some((sub) => conditionHolds(scope, sub));
  else result = single(scope, String(c.condition ?? ''), (c.params ?? {}) as JsonObject);
  return c.invert === true ? !result : result;
}

export function allConditionsHold(scope: ConditionScope, conditions: unknown[]): boolean {
  return conditions.every((c) => conditionHolds(scope, c));
}
