// AP.cookie: values kept in the host page's localStorage under `{appKey}$${name}` (the key
// atlassian-connect-js's src/host/utils/cookie.js builds), one browser at a time. `read` falls
// back to the legacy AUI conglomerate cookie (`AJS.conglomerate.cookie`, `|key=value|…`), where
// older versions kept them; `erase` clears both so an erased value cannot come back from it.
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

function conglomerateEntries(): Map<string, string> {
  const entries = new Map<string, string>();
  const raw = document.cookie.split('; ').find((c) => c.startsWith(`${CONGLOMERATE_COOKIE}=`));
  if (!raw) return entries;
  const value = decodeURIComponent(raw.slice(CONGLOMERATE_COOKIE.length + 1));
  for (const part of value.split('|')) {
    const eq = part.indexOf('=');
    if (eq > 0) entries.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return entries;
}

function writeConglomerate(entries: Map<string, string>): void {
  const value = [...entries].map(([k, v]) => `${k}=${v}`).join('|');
  const expiry = value ? `; expires=${new Date(Date.now() + 365 * DAY_MS).toUTCString()}` : '; expires=Thu, 01 Jan 1970 00:00:00 GMT';
  document.cookie = `${CONGLOMERATE_COOKIE}=${encodeURIComponent(value)}${expiry}; path=/`;
}

function appKeyOf(callback: ModuleCallback): string {
  return callback._context.extension.addon_key;
}

export function readCookie(appKey: string, name: string): string | undefined {
  const key = storageKey(appKey, name);
  const stored = localStorage.getItem(key);
  if (stored !== null) {
    try {
      const parsed = JSON.parse(stored) as StoredCookie;
      if (parsed.expires > Date.now()) return parsed.value;
    } catch {
      // unreadable: treated as absent
    }
    localStorage.removeItem(key);
  }
  return conglomerateEntries().get(key);
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
    const entries = conglomerateEntries();
    if (entries.delete(key)) writeConglomerate(entries);
  },
};
