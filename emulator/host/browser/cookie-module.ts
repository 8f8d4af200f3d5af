// AP.cookie: values kept in the host page's localStorage under `{appKey}$${name}` (the key
// atlassian-connect-js's src/host/utils/cookie.js builds), one browser at a time. `read` falls
// back to the legacy AUI conglomerate cookie (`AJS.conglomerate.cookie`), where older versions
// kept them, read and rewritten exactly as AUI's AJS.Cookie does (docs/emulator.md, "AP.cookie");
// `erase` clears both so an erased value cannot come back from it (an assumption, see there).
// A stored entry not in the wrapped form this module writes is read as the plain value it is.
import type { ModuleCallback, ModuleMethod } from './connect-host-types';

const CONGLOMERATE_COOKIE = 'AJS.conglomerate.cookie';
const DAY_MS = 24 * 60 * 60 * 1000;

/** The stored form (assumed: real Confluence's localStorage format is not documented). */
interface StoredCookie {
  value: string;
  expires: number;
}

export function storageKey(appKey: string, name: string): string {
  if (!appKey) throw new Error('addon key must be defined on cookies');
  if (!name) throw new Error('Name must be defined');
  return `${appKey}$$${name}`;
}

function regexEscape(text: string): string {
  return text.replace(/[.*+?|^$()[\]{}\\]/g, '\\$&');
}

/**
 * The conglomerate cookie's value as AUI's getCookieValue reads it: the raw cookie text (no
 * URI decoding), up to a `;` not escaped by `\`, with every `\` and the surrounding quotes removed.
 */
function conglomerateValue(): string {
  const match = new RegExp(`\\b${regexEscape(CONGLOMERATE_COOKIE)}=((?:[^\\\\;]+|\\\\.)*)(?:;|$)`).exec(document.cookie);
  return match ? match[1].replace(/(\\|^"|"$)/g, '') : '';
}

/** One entry, as AUI's getValueFromConglomerate finds it: the first `name=` and what follows up to `|`. */
function conglomerateEntry(key: string): string | undefined {
  const match = new RegExp(`${regexEscape(key)}=([^|]+)`).exec(conglomerateValue());
  return match ? match[1] : undefined;
}

/** AUI's erase: save(name, '') — the entry and its separators become one `|`; saved quoted for 365 days. */
function eraseConglomerateEntry(key: string): void {
  const before = conglomerateValue();
  if (conglomerateEntry(key) === undefined) return;
  const after = before.replace(new RegExp(`(\\s|\\|)*\\b${regexEscape(key)}=[^|]*[|]*`), '|').replace(/\|\|+/g, '|');
  const quoted = `"${after.replace(/"/g, '\\"')}"`;
  document.cookie = `${CONGLOMERATE_COOKIE}=${quoted}; expires=${new Date(Date.now() + 365 * DAY_MS).toUTCString()};path=/`;
}

function appKeyOf(callback: ModuleCallback): string {
  return callback._context.extension.addon_key;
}

/**
 * What a stored localStorage entry holds: the value of the `{"value", "expires"}` form this
 * module writes (undefined once it has expired), or — for anything else, such as the plain
 * string or JSON array a host that stored values as they came would have left — the stored text
 * itself. The stored form is assumed, so nothing else is taken for it and nothing is dropped.
 */
function storedValue(stored: string): { value: string | undefined; expired: boolean } {
  try {
    const parsed: unknown = JSON.parse(stored);
    if (isStoredCookie(parsed))
      return parsed.expires > Date.now() ? { value: parsed.value, expired: false } : { value: undefined, expired: true };
  } catch {
    // not JSON: a plain value
  }
  return { value: stored, expired: false };
}

function isStoredCookie(parsed: unknown): parsed is StoredCookie {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return false;
  const { value, expires } = parsed as Partial<StoredCookie>;
  return typeof value === 'string' && typeof expires === 'number' && Object.keys(parsed).length === 2;
}

/** The value, or undefined; never throws. Only an expired entry of the wrapped form is removed. */
export function readCookie(appKey: string, name: string): string | undefined {
  const key = storageKey(appKey, name);
  try {
    const stored = localStorage.getItem(key);
    if (stored !== null) {
      const { value, expired } = storedValue(stored);
      if (!expired) return value;
      localStorage.removeItem(key);
    }
  } catch {
    // storage unavailable: fall through to the cookie
  }
  try {
    return conglomerateEntry(key);
  } catch {
    return undefined;
  }
}

export const cookieModule: Record<string, ModuleMethod> = {
  save(name: string, value: string, expires: number | undefined, callback: ModuleCallback) {
    const days = typeof expires === 'number' && expires > 0 ? expires : 365;
    const stored: StoredCookie = { value: String(value), expires: Date.now() + days * DAY_MS };
    localStorage.setItem(storageKey(appKeyOf(callback), name), JSON.stringify(stored));
  },
  read(name: string, callback: ModuleCallback) {
    callback(readCookie(appKeyOf(callback), name));
  },
  erase(name: string, callback: ModuleCallback) {
    const key = storageKey(appKeyOf(callback), name);
    localStorage.removeItem(key);
    eraseConglomerateEntry(key);
  },
};
