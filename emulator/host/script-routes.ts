// Host-page helpers for scripts and tests (ours and vendors'), beside the control API:
//   GET /_emulator/login?accountId=…&next=<path>   signs that user in (this browser) and redirects
//   GET /_emulator/logout?next=<path>               signs out
//   GET /_emulator/pages                            the seeded pages: [{id, spaceKey, title, url}]
//   GET /_emulator/iframe-url?appKey=&moduleKey=&accountId=[&pageId=]
//        → {url}: the signed URL that user's iframe of that module would load (page-load JWT included)
import { Router, type Request } from 'express';
import { SEEDED_PAGES, SEEDED_SPACES } from '../content-seed';
import type { EmulatorContext } from '../emulator-context';
import { HttpError } from '../errors';
import { findModule } from './app-modules';
import { iframeUrl, type PageContext } from './iframe-url';
import { signIn, signOut } from './session';
import { pagePath } from './site-pages';

/** Only paths on this site: never an open redirect. */
function nextPath(req: Request): string {
  const next = typeof req.query.next === 'string' ? req.query.next : '';
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/wiki/';
}

function queryText(req: Request, name: string): string {
  const value = req.query[name];
  if (typeof value !== 'string' || value === '') throw new HttpError(400, `The query parameter ${name} is required`);
  return value;
}

export function scriptRoutesRouter(ctx: EmulatorContext): Router {
  const router = Router();

  router.get('/login', (req, res) => {
    const accountId = queryText(req, 'accountId');
    if (!ctx.site.findAccount(accountId)) throw new HttpError(404, `No user with accountId ${accountId}`);
    signIn(ctx, res, accountId);
    res.redirect(302, nextPath(req));
  });

  router.get('/logout', (req, res) => {
    signOut(res);
    res.redirect(302, nextPath(req));
  });

  router.get('/pages', (_req, res) => {
    res.json(SEEDED_PAGES.map((p) => ({ id: p.id, spaceKey: p.spaceKey, title: p.title, url: `${ctx.urls.baseUrl}${pagePath(p)}` })));
  });

  router.get('/iframe-url', (req, res) => {
    const appKey = queryText(req, 'appKey');
    const app = ctx.site.installedApp(appKey);
    if (!app) throw new HttpError(404, `The app ${appKey} is not installed on this site`);
    const module = findModule(app, queryText(req, 'moduleKey'));
    if (!module) throw new HttpError(404, `The app ${appKey} has no module ${String(req.query.moduleKey)}`);
    const user = ctx.site.findAccount(queryText(req, 'accountId'));
    if (!user) throw new HttpError(404, `No user with accountId ${String(req.query.accountId)}`);
    let context: PageContext = {};
    if (typeof req.query.pageId === 'string') {
      const page = SEEDED_PAGES.find((p) => p.id === req.query.pageId);
      if (!page) throw new HttpError(404, `No page ${req.query.pageId}`);
      const space = SEEDED_SPACES.find((s) => s.key === page.spaceKey);
      context = { page: { id: page.id }, ...(space ? { space: { key: space.key, id: space.id } } : {}) };
    }
    res.json({ url: iframeUrl(ctx, module, user, context) });
  });

  return router;
}
