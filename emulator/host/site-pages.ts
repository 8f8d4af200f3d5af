// The emulated Confluence's pages, at Confluence Cloud's URL shapes:
//   /wiki/                                      home: spaces and their pages
//   /wiki/spaces/{spaceKey}                     a space's pages
//   /wiki/spaces/{spaceKey}/pages/{pageId}[/…]  a page, with every installed app's atl.general web panels
//   /wiki/pages/viewpage.action?pageId=…        redirects to the page (what AP.navigator uses)
//   /wiki/plugins/servlet/ac/{appKey}/{moduleKey}  an app's general, configure or admin page
import { Router, type Request, type Response } from 'express';
import type { Account } from '../accounts';
import { type Page, SEEDED_SPACES, type Space } from '../content-seed';
import type { EmulatorContext } from '../emulator-context';
import { findModule, type IframeModule, installedModules } from './app-modules';
import { allConditionsHold } from './conditions';
import { type Html, html } from './html';
import { type PageContext, iframeUrl, localeOfViewer } from './iframe-url';
import { renderHostPage } from './layout';
import type { HostIframeData, HostPageData } from './page-data';
import { signedInAccount } from './session';

/** The location Confluence renders page-view web panels at (docs/platform-facts.md §9). */
export const PAGE_VIEW_LOCATION = 'atl.general';
const ADMIN_MODULES = new Set(['configurePage', 'adminPages']);

export function pagePath(page: Page): string {
  return `/wiki/spaces/${encodeURIComponent(page.spaceKey)}/pages/${page.id}/${encodeURIComponent(page.title).replace(/%20/g, '+')}`;
}

export function productContext(context: PageContext): Record<string, unknown> {
  return {
    confluence: {
      ...(context.page ? { content: { id: context.page.id, type: 'page', version: '1' } } : {}),
      ...(context.space ? { space: { id: String(context.space.id), key: context.space.key } } : {}),
    },
  };
}

function pageContext(page: Page): PageContext {
  const space = SEEDED_SPACES.find((s) => s.key === page.spaceKey) as Space;
  return { page: { id: page.id }, space: { key: space.key, id: space.id } };
}

function pageData(user: Account | undefined, iframes: HostIframeData[]): HostPageData {
  return {
    user: user ? { accountId: user.accountId, displayName: user.displayName, siteAdmin: user.siteAdmin } : null,
    ...localeOfViewer(user),
    iframes,
  };
}

function iframeData(
  ctx: EmulatorContext,
  module: IframeModule,
  user: Account | undefined,
  context: PageContext,
  containerId: string,
): HostIframeData {
  const fullPage = module.type !== 'webPanels';
  return {
    containerId,
    addon_key: module.app.key,
    key: module.key,
    url: iframeUrl(ctx, module, user, context),
    options: fullPage
      ? { isFullPage: true, width: '100%', height: '100%', moduleType: module.type }
      : { width: '100%', height: module.height ?? '100px', moduleType: module.type, moduleLocation: module.location },
    productContext: productContext(context),
  };
}

function pageBody(page: Page): Html {
  return html`<p>
      This is the “${page.title}” page of the emulated site. Its text is a stand-in; apps see the page through the REST API and the context
      of their iframes.
    </p>
    <p>Use the panels below the page the way a Confluence reader would.</p>`;
}

function spaceList(pages: readonly Page[]): Html {
  return html`${SEEDED_SPACES.map(
    (space) =>
      html`<section class="space-card" aria-labelledby="space-${space.key}">
        <h2 id="space-${space.key}"><a href="/wiki/spaces/${space.key}">${space.name}</a> <span class="space-key">${space.key}</span></h2>
        <ul>
          ${pages.filter((p) => p.spaceKey === space.key).map((p) => html`<li><a href="${pagePath(p)}">${p.title}</a></li>`)}
        </ul>
      </section>`,
  )}`;
}

function send(res: Response, status: number, markup: string): void {
  res.status(status).type('html').set('Cache-Control', 'no-store').send(markup);
}

function notFound(ctx: EmulatorContext, req: Request, res: Response, what: string): void {
  const user = signedInAccount(ctx, req);
  send(
    res,
    404,
    renderHostPage(ctx, req, user, {
      title: 'Not found',
      returnTo: '/wiki/',
      body: html`<h1>Page not found</h1>
        <p>${what}</p>
        <p><a href="/wiki/">Go to the home page</a></p>`,
    }),
  );
}

export function sitePagesRouter(ctx: EmulatorContext): Router {
  const router = Router();

  router.get(['/', ''], (req, res) => {
    const user = signedInAccount(ctx, req);
    send(
      res,
      200,
      renderHostPage(ctx, req, user, {
        title: 'Home',
        returnTo: '/wiki/',
        body: html`<h1>Spaces</h1>
          <div class="space-grid">${spaceList(ctx.site.listPages())}</div>`,
      }),
    );
  });

  router.get('/spaces/:spaceKey', (req, res) => {
    const space = SEEDED_SPACES.find((s) => s.key === req.params.spaceKey);
    if (!space) return notFound(ctx, req, res, `There is no space ${req.params.spaceKey}.`);
    const user = signedInAccount(ctx, req);
    const pages = ctx.site.listPages().filter((p) => p.spaceKey === space.key);
    send(
      res,
      200,
      renderHostPage(ctx, req, user, {
        title: space.name,
        returnTo: req.originalUrl,
        body: html`<h1>${space.name}</h1>
          <ul class="page-list">
            ${pages.map((p) => html`<li><a href="${pagePath(p)}">${p.title}</a></li>`)}
          </ul>`,
      }),
    );
  });

  router.get('/pages/viewpage.action', (req, res) => {
    const page = ctx.site.listPages().find((p) => p.id === String(req.query.pageId ?? ''));
    if (!page) return notFound(ctx, req, res, `There is no page with id ${String(req.query.pageId ?? '')}.`);
    res.redirect(302, pagePath(page));
  });

  router.get(['/spaces/:spaceKey/pages/:pageId', '/spaces/:spaceKey/pages/:pageId/*'], (req, res) => {
    const page = ctx.site.listPages().find((p) => p.id === req.params.pageId && p.spaceKey === req.params.spaceKey);
    if (!page) return notFound(ctx, req, res, `There is no page ${req.params.pageId} in space ${req.params.spaceKey}.`);
    const user = signedInAccount(ctx, req);
    const context = pageContext(page);
    const author = ctx.site.findAccount(page.authorAccountId);
    const panels = installedModules(ctx.site.listApps(), 'webPanels', PAGE_VIEW_LOCATION).filter((m) =>
      allConditionsHold({ ctx, app: m.app, user }, m.conditions),
    );
    const iframes = panels.map((m, i) => iframeData(ctx, m, user, context, `web-panel-${i}`));
    const space = SEEDED_SPACES.find((s) => s.key === page.spaceKey) as Space;
    send(
      res,
      200,
      renderHostPage(ctx, req, user, {
        title: page.title,
        returnTo: req.originalUrl,
        data: pageData(user, iframes),
        body: html`<nav class="breadcrumbs" aria-label="Breadcrumbs"><a href="/wiki/spaces/${space.key}">${space.name}</a></nav>
          <article class="page" data-page-id="${page.id}">
            <h1>${page.title}</h1>
            <p class="byline">Created by ${author?.displayName ?? 'a former user'} on ${new Date(page.createdDate).toDateString()}</p>
            ${pageBody(page)}
          </article>
          ${user ? '' : html`<p class="sign-in-hint">Sign in with the switcher above to see the apps on this page.</p>`}
          <section class="web-panels" aria-label="Apps on this page">
            ${panels.map((m, i) => html`<div class="web-panel" id="web-panel-${i}" data-app="${m.app.key}" data-module="${m.key}"></div>`)}
          </section>`,
      }),
    );
  });

  router.get('/plugins/servlet/ac/:appKey/:moduleKey', (req, res) => {
    const app = ctx.site.installedApp(req.params.appKey);
    const module = app && findModule(app, req.params.moduleKey);
    if (!app || !module || module.type === 'webPanels')
      return notFound(ctx, req, res, `The app ${req.params.appKey} has no page ${req.params.moduleKey}.`);
    const user = signedInAccount(ctx, req);
    const allowed =
      allConditionsHold({ ctx, app, user }, module.conditions) && (!ADMIN_MODULES.has(module.type) || user?.siteAdmin === true);
    if (!allowed) {
      send(
        res,
        user ? 403 : 401,
        renderHostPage(ctx, req, user, {
          title: 'Not permitted',
          returnTo: req.originalUrl,
          body: html`<h1>You can’t view this page</h1>
            <p role="alert">
              ${ADMIN_MODULES.has(module.type) ? 'Only Confluence administrators can configure apps.' : 'Sign in to use this app.'}
            </p>`,
        }),
      );
      return;
    }
    const iframe = iframeData(ctx, module, user, {}, 'app-page');
    send(
      res,
      200,
      renderHostPage(ctx, req, user, {
        title: module.name,
        returnTo: req.originalUrl,
        data: pageData(user, [iframe]),
        body: html`<h1 class="app-page-title">${module.name}</h1>
          <div class="app-page" id="app-page" data-app="${app.key}" data-module="${module.key}"></div>`,
      }),
    );
  });

  return router;
}
