// Puts legacy AP.cookie values into a browser the way older Keepsake versions left them: in the
// host's localStorage under `keepsake$$<name>` (emulator/host/browser/cookie-module.ts), or in
// AUI's conglomerate cookie, which dropped writes past about 4 KB (docs/platform-facts.md §8), in
// the form AUI's AJS.Cookie.save writes it: `"|name=value|…"`, `"` escaped as `\"`, no URI
// encoding (docs/emulator.md, "AP.cookie").
import type { BrowserContext } from 'playwright-core';
import type { Emulator } from '../../support/keepsake-stack';
import type { PageGlobals } from './page-globals';

const APP_KEY = 'keepsake';

export async function seedLocalStorageCookies(context: BrowserContext, emulator: Emulator, cookies: Record<string, string>): Promise<void> {
  const page = await context.newPage();
  await page.goto(`${emulator.baseUrl}/_emulator/pages`);
  await page.evaluate(
    ({ appKey, entries }) => {
      const { localStorage } = globalThis as unknown as PageGlobals;
      for (const [name, value] of entries) {
        localStorage.setItem(`${appKey}$$${name}`, JSON.stringify({ value, expires: Date.now() + 365 * 86_400_000 }));
      }
    },
    { appKey: APP_KEY, entries: Object.entries(cookies) },
  );
  await page.close();
}

/** The conglomerate cookie's text as AUI's saveCookie writes it. */
export function auiConglomerateValue(entries: Record<string, string>): string {
  const value = Object.entries(entries)
    .map(([key, v]) => `|${key}=${v}`)
    .join('');
  return `"${value.replace(/"/g, '\\"')}"`;
}

export async function seedConglomerateCookie(context: BrowserContext, emulator: Emulator, cookies: Record<string, string>): Promise<void> {
  const entries = Object.fromEntries(Object.entries(cookies).map(([name, v]) => [`${APP_KEY}$$${name}`, v]));
  await context.addCookies([{ name: 'AJS.conglomerate.cookie', value: auiConglomerateValue(entries), url: emulator.baseUrl }]);
}

/** What is left of Keepsake's legacy values in this browser, as AP.cookie.read would see them. */
export async function remainingLegacyValues(context: BrowserContext, emulator: Emulator): Promise<string[]> {
  const page = await context.newPage();
  await page.goto(`${emulator.baseUrl}/_emulator/pages`);
  const left = await page.evaluate((appKey) => {
    const { localStorage, document } = globalThis as unknown as PageGlobals;
    const keys = Array.from({ length: localStorage.length }, (_, i) => localStorage.key(i) ?? '').filter((k) =>
      k.startsWith(`${appKey}$$`),
    );
    const cookie = document.cookie.split('; ').find((c: string) => c.startsWith('AJS.conglomerate.cookie='));
    // Read as AUI does: the raw text without its backslashes and surrounding quotes.
    const value = cookie
      ? cookie
          .split('=')
          .slice(1)
          .join('=')
          .replace(/(\\|^"|"$)/g, '')
      : '';
    const legacy = value.split('|').filter((e) => e.startsWith(`${appKey}$$`));
    return [...keys, ...legacy.map((e) => e.split('=')[0])];
  }, APP_KEY);
  await page.close();
  return left;
}
