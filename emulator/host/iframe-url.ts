// The URL Confluence gives an app's iframe: the module URL from the descriptor with its
// context variables filled in ({page.id}, {space.key}, …; an unknown one becomes empty), then
// the parameters Confluence appends (xdm_e, xdm_c, cp, lic, cv, tz, loc) and a page-load JWT
// whose qsh covers all of them (https://developer.atlassian.com/cloud/confluence/context-parameters/,
// https://developer.atlassian.com/cloud/confluence/understanding-jwt/). ACE's authenticate()
// checks that JWT, its qsh included.
import { type Account, DEFAULT_USER_LOCALE, DEFAULT_USER_TIME_ZONE } from '../accounts';
import { nowInSeconds, signHs256 } from '../auth/hs256-jwt';
import { queryStringHash } from '../auth/query-string-hash';
import type { EmulatorContext } from '../emulator-context';
import { usesJwt } from '../install/authentication';
import type { InstalledApp } from '../site';
import { connectLocale } from '../user-locale';
import type { IframeModule } from './app-modules';

/** A page-load JWT lives about three minutes (ACE's default for the tokens it mints too; assumed). */
export const PAGE_LOAD_JWT_TTL_SECONDS = 180;
/**
 * The locale and time zone a page shows its apps: the signed-in person's, in the form apps get
 * them (user-locale.ts); a page nobody is signed in to gets the site's defaults (assumed).
 */
export function localeOfViewer(user: Account | undefined): { locale: string; timeZone: string } {
  return { locale: connectLocale(user?.locale ?? DEFAULT_USER_LOCALE), timeZone: user?.timeZone ?? DEFAULT_USER_TIME_ZONE };
}

/** What the page shows: the values context variables are filled from. */
export interface PageContext {
  page?: { id: string; type?: string };
  space?: { key: string; id: number };
}

function contextVariables(context: PageContext): Record<string, string> {
  const vars: Record<string, string> = {};
  if (context.page) {
    vars['page.id'] = context.page.id;
    vars['page.type'] = context.page.type ?? 'page';
    vars['content.id'] = context.page.id;
    vars['content.type'] = context.page.type ?? 'page';
    vars['page.version'] = '1';
    vars['content.version'] = '1';
  }
  if (context.space) {
    vars['space.key'] = context.space.key;
    vars['space.id'] = String(context.space.id);
  }
  return vars;
}

export function substituteContextVariables(url: string, context: PageContext): string {
  const vars = contextVariables(context);
  return url.replace(/\{([a-zA-Z.]+)\}/g, (_m, name: string) => encodeURIComponent(vars[name] ?? ''));
}

export function pageLoadJwt(app: InstalledApp, user: Account | undefined, pathWithQuery: string): string {
  const iat = nowInSeconds();
  return signHs256(
    {
      iss: app.clientKey,
      ...(user ? { sub: user.accountId } : {}),
      qsh: queryStringHash('GET', pathWithQuery, app.baseUrl),
      iat,
      exp: iat + PAGE_LOAD_JWT_TTL_SECONDS,
      context: {},
    },
    app.sharedSecret,
  );
}

/**
 * The module URL joined to the app's baseUrl. Connect's docs say only that module URLs are
 * "relative to the app's baseUrl"; one with a leading slash is appended to it (what ACE apps and
 * Atlassian's examples use), one without (`"url": "hello-world"`) is joined with one slash, so
 * the baseUrl's own path is kept either way (assumed; docs/emulator.md). An absolute URL is used
 * as it is.
 */
export function moduleUrl(baseUrl: string, url: string): URL {
  if (/^https?:\/\//i.test(url)) return new URL(url);
  const base = baseUrl.replace(/\/+$/, '');
  return new URL(`${base}/${url.replace(/^\/+/, '')}`);
}

export function iframeUrl(ctx: EmulatorContext, module: IframeModule, user: Account | undefined, context: PageContext): string {
  const { app } = module;
  const url = moduleUrl(app.baseUrl, substituteContextVariables(module.url, context));
  const params = url.searchParams;
  params.set('xdm_e', ctx.urls.baseUrl);
  params.set('xdm_c', `channel-${app.key}__${module.key}`);
  params.set('cp', '/wiki');
  params.set('xdm_deprecated_addon_key_do_not_use', app.key);
  params.set('lic', 'none');
  params.set('cv', '1000.0.0');
  const viewer = localeOfViewer(user);
  params.set('tz', viewer.timeZone);
  params.set('loc', viewer.locale);
  // An app with authentication "none" gets its URL unsigned: it has no secret to check a JWT with.
  if (!usesJwt(app)) return url.toString();
  // The qsh is over the path relative to the app's baseUrl; atlassian-jwt strips that prefix.
  params.set('jwt', pageLoadJwt(app, user, `${url.pathname}?${params.toString()}`));
  return url.toString();
}
