// Cookies of one emulated site in a browser. Browsers keep cookies per host name, not per port,
// so every site of the emulator (each on its own localhost port) names its cookies apart, or
// signing in to (or choosing a theme on) one would change another.
import type { Request } from 'express';
import { DEFAULT_SITE_ID, type EmulatorContext } from '../emulator-context';

/** The first site keeps the plain name; every other site adds its id. */
export function siteCookieName(ctx: EmulatorContext, name: string): string {
  return ctx.siteId === DEFAULT_SITE_ID ? name : `${name}.${ctx.siteId}`;
}

export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}
