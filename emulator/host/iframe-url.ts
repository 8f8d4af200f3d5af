// The URL Confluence gives an app's iframe: the module URL from the descriptor with its
// context variables filled in ({page.id}, {space.key}, …; an unknown one becomes empty), then
// the parameters Confluence appends (xdm_e, xdm_c, cp, lic, cv, tz, loc) and a page-load JWT
// whose qsh covers all of them (https://developer.atlassian.com/cloud/confluence/context-parameters/,
// https://developer.atlassian.com/cloud/confluence/understanding-jwt/). ACE's authenticate()
// checks that JWT, its qsh included.
import type { Account } from '../accounts';
import { nowInSeconds, signHs256 } from '../auth/hs256-jwt';
import { queryStringHash } from '../auth/query-string-hash';
import type { EmulatorContext } from '../emulator-context';
import type { InstalledApp } from '../site';
import type { IframeModule } from './app-modules';

/** A page-load JWT lives about three minutes (ACE's default for the tokens it mints too; assumed). */
export const PAGE_LOAD_JWT_TTL_SECONDS = 180;
/** The emulated users have no profile time zone or locale; these stand in (assumed). */
export const USER_TIME_ZONE = 'UTC';
export const USER_LOCALE = 'en-US';

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

export function iframeUrl(ctx: EmulatorContext, module: IframeModule, user: Account | undefined, context: PageContext): string {
  const { app } = module;
  const url = new URL(app.baseUrl + substituteContextVariables(module.url, context));
  const params = url.searchParams;
  params.set('xdm_e', ctx.urls.baseUrl);
  params.set('xdm_c', `channel-${app.key}__${module.key}`);
  params.set('cp', '/wiki');
  params.set('xdm_deprecated_addon_key_do_not_use', app.key);
  params.set('lic', 'none');
  params.set('cv', '1000.0.0');
  params.set('tz', USER_TIME_ZONE);
  params.set('loc', USER_LOCALE);
  // The qsh is over the path relative to the app's baseUrl; atlassian-jwt strips that prefix.
  params.set('jwt', pageLoadJwt(app, user, `${url.pathname}?${params.toString()}`));
  return url.toString();
}
