/**
 * The iframes Confluence shows: the panel on every page, the personal page ("My Keepsake")
 * and the admin configuration page (docs/ui.md). Page loads carry Confluence's page-load JWT,
 * which the platform adapter verifies (qsh included; app.ts hands its check in). Routing only:
 * each route gathers what its page needs and renders the pure page model of lib/pages/ with
 * the user's current state in the HTML, so nothing is fetched before the user sees it. What is
 * rendered does not grow with the user's sets.
 */
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response, type Router } from 'express';
import hbs from 'express-hbs';
import type { SiteAdministration } from '../lib/admin/site-administration';
import { isSiteAdmin } from '../lib/auth/site-admin';
import type { PageAuthors } from '../lib/confluence/page-authors';
import { translator, userLocale, type UserLocale } from '../lib/i18n';
import { translateInView, type HelperOptions } from '../lib/i18n/view-helper';
import type { Logger } from '../lib/logger';
import { adminPage, forbiddenPage } from '../lib/pages/admin-page';
import { failurePage } from '../lib/pages/failure-page';
import { authorCard, panelPage, type AuthorCard } from '../lib/pages/panel-page';
import { personalPage } from '../lib/pages/personal-page';
import type { AccountReporting } from '../lib/personal-data/account-reporting';
import type { PreferenceService } from '../lib/preferences/preference-service';
import { contentId } from '../lib/preferences/schema';
import type { SiteContext, SiteContexts } from '../lib/sites/site-context';
import { AssetManifest } from './asset-manifest';
import { toKeepsakeError } from './error-handler';
import { handle } from './handle';
import { ATLASSIAN_ALL_JS, setPagePolicy } from './security-headers';

export interface IframeDependencies {
  /** The platform's check of a page-load token: on success it leaves {@link PageLoad} in res.locals. */
  authenticate: RequestHandler;
  contexts: SiteContexts;
  preferences: PreferenceService;
  administration: SiteAdministration;
  /** The site's personal-data reporting cycle, shown on the admin page. */
  reporting: AccountReporting;
  /** Page authors and display names kept in memory for the panel's author card. */
  pageAuthors: PageAuthors;
  assets?: AssetManifest;
}

/** Who loaded a page, and from where, as the page-load check found them. */
export interface PageLoad {
  clientKey: string;
  userAccountId: string;
  hostBaseUrl: string;
  hostScriptUrl: string;
}

/** The iframes' paths: a failure on a page load is answered with a page ({@link iframeFailurePages}). */
export const IFRAME_PATHS = ['/panel', '/my-keepsake', '/admin'] as const;

export function iframeRouter({
  authenticate,
  contexts,
  preferences,
  administration,
  reporting,
  pageAuthors,
  assets = new AssetManifest(),
}: IframeDependencies): Router {
  const router = express.Router();
  hbs.handlebars.registerHelper('t', (key: unknown, options: HelperOptions) => translateInView(key, options));

  /**
   * An iframe route: the platform verifies Confluence's page-load token; the page may then be
   * framed by that site only (security-headers.ts), and `render` gets the site and the user. A failure
   * goes on to {@link iframeFailurePages}: a page with a sentence for a person, never JSON.
   */
  const iframe = (
    path: (typeof IFRAME_PATHS)[number],
    render: (ctx: SiteContext, user: PageLoad, req: Request, res: Response) => Promise<void>,
  ) =>
    router.get(
      path,
      authenticate,
      handle(async (req, res) => {
        const user = res.locals as PageLoad;
        setPagePolicy(res, {
          siteBaseUrl: user.hostBaseUrl,
          hostScriptUrl: user.hostScriptUrl,
          production: req.app.get('env') === 'production',
        });
        await render(await contexts.forClient(user.clientKey), user, req, res);
      }),
    );

  const page = pageAssets(assets);

  async function authorCardOf(ctx: SiteContext, pageId: string, viewer: string, reader: UserLocale): Promise<AuthorCard | undefined> {
    const author = await pageAuthors.of(ctx.confluence, pageId);
    if (!author) return undefined;
    const card = await preferences.profile(ctx, author.accountId, viewer);
    return authorCard(author, card, ctx.site.settings, viewer, translator(reader.language));
  }

  iframe('/panel', async (ctx, { userAccountId, hostBaseUrl }, req, res) => {
    const parsedId = contentId.safeParse(req.query.pageId);
    const pageId = parsedId.success ? parsedId.data : '';
    const reader = readerOf(req);
    const [view, author] = await Promise.all([
      preferences.view(ctx, userAccountId),
      // The card is secondary: a page Keepsake cannot read still gets its panel.
      pageId ? authorCardOf(ctx, pageId, userAccountId, reader).catch(() => 'unavailable' as const) : undefined,
    ]);
    res.render('panel', { ...page('panel.js', 'resize:false'), ...panelPage({ view, pageId, author, reader, hostBaseUrl }) });
  });

  iframe('/my-keepsake', async (ctx, { userAccountId, hostBaseUrl }, req, res) => {
    const view = await preferences.view(ctx, userAccountId);
    res.render('personal', {
      ...page('personal.js', 'resize:false'),
      ...personalPage(view, ctx.site.settings, readerOf(req), hostBaseUrl),
    });
  });

  iframe('/admin', async (ctx, { userAccountId }, req, res) => {
    const reader = readerOf(req);
    if (!(await isSiteAdmin(ctx.confluence, userAccountId))) {
      res.status(403).render('forbidden', { ...page(undefined, 'sizeToParent:true'), ...forbiddenPage(reader) });
      return;
    }
    const [stats, personalData] = await Promise.all([administration.stats(ctx), reporting.status(ctx.site.clientKey)]);
    res.render('admin', { ...page('admin.js', 'resize:false'), ...adminPage(ctx.site.settings, stats, personalData, reader) });
  });
  return router;
}

/**
 * Who reads the page: Confluence's `loc` and `tz` of the page load (covered by the page-load
 * JWT's qsh, which the platform checked), English and UTC when absent or unreadable.
 */
function readerOf(req: Request): UserLocale {
  const text = (name: string) => {
    const value = req.query[name];
    return typeof value === 'string' ? value : undefined;
  };
  return userLocale(text('loc'), text('tz'));
}

/** Scripts and styles of a page, by their content-hashed names. */
function pageAssets(assets: AssetManifest) {
  return (script: string | undefined, allJsOptions: string) => ({
    styleUrl: assets.url('keepsake.css'),
    scriptUrl: script === undefined ? undefined : assets.url(script),
    allJsOptions,
  });
}

export interface IframeFailureDependencies {
  /** Where the pages load all.js from, when it is not Atlassian's CDN. */
  hostScriptUrl?: string;
  logger: Logger;
  assets?: AssetManifest;
}

/**
 * Errors on a page load of an iframe (GET or HEAD of {@link IFRAME_PATHS}) become a page with
 * a sentence for a person: a token the platform refused, a request Keepsake cannot read, a
 * failure while rendering. Every other error goes on to the JSON error handler. Before authentication the
 * site is unknown, so the page keeps the default of security-headers.ts for framing.
 */
export function iframeFailurePages({
  hostScriptUrl: configured,
  logger,
  assets = new AssetManifest(),
}: IframeFailureDependencies): ErrorRequestHandler {
  const page = pageAssets(assets);
  const hostScriptUrl = configured || ATLASSIAN_ALL_JS;
  return (error: unknown, req, res, next) => {
    if (!isPageLoad(req) || res.headersSent) return next(error);
    const known = toKeepsakeError(error);
    if (!known) logger.error({ err: error, path: req.path }, 'iframe failed');
    else if (known.status < 500) logger.debug({ code: known.code, path: req.path }, known.message);
    const authenticated = Boolean((res.locals as Partial<PageLoad>).clientKey);
    if (!authenticated) {
      setPagePolicy(res, { hostScriptUrl, production: req.app.get('env') === 'production' });
    }
    if (known?.retryAfter !== undefined) res.setHeader('Retry-After', String(known.retryAfter));
    // Before the page load is checked, loc and tz are only a hint; they choose words, nothing else.
    res
      .status(known?.status ?? 500)
      .render('unavailable', { ...page(undefined, 'sizeToParent:true'), hostScriptUrl, ...failurePage(known, readerOf(req)) });
  };
}

/** A GET or HEAD of an iframe's path as Express routes it: any case, one optional trailing slash. */
function isPageLoad(req: Request): boolean {
  const path = req.path.toLowerCase().replace(/(.)\/$/, '$1');
  return (req.method === 'GET' || req.method === 'HEAD') && (IFRAME_PATHS as readonly string[]).includes(path);
}
