// Checks an app descriptor the way an install would, and names each problem: which field,
// what was expected, what was found. Rules: docs/platform-facts.md §9 and
// https://developer.atlassian.com/cloud/confluence/app-descriptor/ .
import { isScope, type Scope } from '../scopes';
import type { JsonObject, Lifecycle } from '../site';

export interface ValidDescriptor {
  key: string;
  name: string;
  baseUrl: string;
  scopes: Scope[];
  lifecycle: Lifecycle;
  raw: JsonObject;
}

export type DescriptorCheck = { ok: true; descriptor: ValidDescriptor } | { ok: false; errors: string[] };

const APP_KEY_PATTERN = /^[a-zA-Z0-9-._]+$/;
const APP_KEY_MAX = 64;
const MODULE_KEY_PATTERN = /^[a-zA-Z0-9-]+$/;
const LIFECYCLE_EVENTS = ['installed', 'uninstalled', 'enabled', 'disabled'] as const;
/** Module types whose entries render a URL in an iframe. */
const URL_MODULES = new Set(['webPanels', 'generalPages', 'adminPages', 'configurePage', 'postInstallPage', 'webItems', 'dialogs']);

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  const text = JSON.stringify(v);
  return text === undefined ? 'nothing' : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function checkBaseUrl(value: unknown, errors: string[]): string {
  if (typeof value !== 'string' || value === '') {
    errors.push(`baseUrl: expected an absolute http(s) URL, got ${show(value)}`);
    return '';
  }
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') errors.push(`baseUrl: expected an http or https URL, got ${show(value)}`);
  } catch {
    errors.push(`baseUrl: expected an absolute http(s) URL, got ${show(value)}`);
  }
  return value.replace(/\/+$/, '');
}

function checkLifecycle(value: unknown, authType: string, errors: string[]): Lifecycle {
  const lifecycle: Lifecycle = {};
  if (value === undefined) {
    if (authType === 'jwt')
      errors.push('lifecycle.installed: an app with authentication "jwt" must declare an installed callback to receive its sharedSecret');
    return lifecycle;
  }
  if (!isObject(value)) {
    errors.push(`lifecycle: expected an object of callback paths, got ${show(value)}`);
    return lifecycle;
  }
  for (const [event, path] of Object.entries(value)) {
    if (!(LIFECYCLE_EVENTS as readonly string[]).includes(event)) {
      errors.push(`lifecycle.${event}: unknown lifecycle event; expected one of ${LIFECYCLE_EVENTS.join(', ')}`);
    } else if (typeof path !== 'string' || path === '') {
      errors.push(`lifecycle.${event}: expected a URL path such as "/${event}", got ${show(path)}`);
    } else {
      lifecycle[event as (typeof LIFECYCLE_EVENTS)[number]] = path;
    }
  }
  if (authType === 'jwt' && !lifecycle.installed) {
    errors.push('lifecycle.installed: an app with authentication "jwt" must declare an installed callback to receive its sharedSecret');
  }
  return lifecycle;
}

function checkScopes(value: unknown, errors: string[]): Scope[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    errors.push(`scopes: expected an array of scope names, got ${show(value)}`);
    return [];
  }
  const scopes: Scope[] = [];
  value.forEach((raw, i) => {
    const name = typeof raw === 'string' ? raw.toUpperCase() : '';
    // Scope names may be all lower case or all upper case.
    if (typeof raw === 'string' && (raw === raw.toUpperCase() || raw === raw.toLowerCase()) && isScope(name)) scopes.push(name);
    else
      errors.push(
        `scopes[${i}]: unknown scope ${show(raw)}; expected one of READ, WRITE, DELETE, SPACE_ADMIN, ADMIN, ACT_AS_USER, ACCESS_EMAIL_ADDRESSES`,
      );
  });
  return scopes;
}

function checkModules(value: unknown, errors: string[]): void {
  if (value === undefined) return;
  if (!isObject(value)) {
    errors.push(`modules: expected an object of module lists, got ${show(value)}`);
    return;
  }
  const seen = new Set<string>();
  for (const [type, entries] of Object.entries(value)) {
    const list = Array.isArray(entries) ? entries : [entries];
    list.forEach((module, i) => {
      const where = Array.isArray(entries) ? `modules.${type}[${i}]` : `modules.${type}`;
      if (!isObject(module)) {
        errors.push(`${where}: expected a module object, got ${show(module)}`);
        return;
      }
      if (typeof module.key !== 'string' || !MODULE_KEY_PATTERN.test(module.key)) {
        errors.push(`${where}.key: expected a module key matching ^[a-zA-Z0-9-]+$, got ${show(module.key)}`);
      } else if (seen.has(module.key)) {
        errors.push(`${where}.key: the module key "${module.key}" is used twice; module keys must be unique in a descriptor`);
      } else {
        seen.add(module.key);
      }
      if (URL_MODULES.has(type) && type !== 'webItems' && typeof module.url !== 'string') {
        errors.push(`${where}.url: expected the module's URL (relative to baseUrl), got ${show(module.url)}`);
      }
    });
  }
}

export function checkDescriptor(input: unknown): DescriptorCheck {
  if (!isObject(input)) return { ok: false, errors: [`the descriptor must be a JSON object, got ${show(input)}`] };
  const errors: string[] = [];

  const key = input.key;
  if (typeof key !== 'string' || key.length === 0 || key.length > APP_KEY_MAX || !APP_KEY_PATTERN.test(key)) {
    errors.push(`key: expected a string of 1 to ${APP_KEY_MAX} characters matching ^[a-zA-Z0-9-._]+$, got ${show(key)}`);
  }
  if (input.name !== undefined && typeof input.name !== 'string') errors.push(`name: expected a string, got ${show(input.name)}`);

  const baseUrl = checkBaseUrl(input.baseUrl, errors);

  let authType = '';
  const auth = input.authentication;
  if (!isObject(auth) || typeof auth.type !== 'string' || !['jwt', 'none'].includes(auth.type.toLowerCase())) {
    errors.push(`authentication: expected {"type": "jwt"} (or "none"), got ${show(auth)}`);
  } else {
    authType = auth.type.toLowerCase();
  }

  const lifecycle = checkLifecycle(input.lifecycle, authType, errors);
  const scopes = checkScopes(input.scopes, errors);
  checkModules(input.modules, errors);

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    descriptor: {
      key: key as string,
      name: typeof input.name === 'string' ? input.name : (key as string),
      baseUrl,
      scopes,
      lifecycle,
      raw: input,
    },
  };
}
