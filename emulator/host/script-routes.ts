// Host-page helpers for scripts and tests (ours and vendors'), beside the control API:
//   GET /_emulator/login?accountId=…&next=<path>   signs that user in (this browser) and redirects
//   GET /_emulator/logout?next=<path>               signs out
//   GET /_emulator/theme?colorMode=light|dark|auto&next=<path>  this browser's theme on the site, then redirects
//   GET /_emulator/pages                            the site's pages: [{id, spaceKey, title, url}]
//   POST /_emulator/pages {spaceKey, title, authorAccountId?, viewers?} → 201 {id, spaceKey, title, url}: adds a page
//   GET /_emulator/iframe-url?appKey=&moduleKey=&accountId=[&pageId=]
//        → {url}: the signed URL that user's iframe of that module would load (page-load JWT included)
import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { SEEDED_USERS } from '../accounts';
import { SEEDED_SPACES, type Page } from '../content-seed';
import type { EmulatorContext } from '../emulator-context';
import { HttpError } from '../errors';
import { validBody } from '../control/validate-body';
import { findModule } from './app-modules';
import { COLOR_MODES, isColorModeChoice, rememberColorMode } from './color-mode';
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

const newPageSchema = z.strictObject({
  spaceKey: z.string().min(1),
  title: z.string().min(1).max(255),
  authorAccountId: z.string().min(1).optional(),
  /** Only these users (and site admins) may read the page. */
  viewers: z.array(z.string().min(1)).optional(),
});

export function scriptRoutesRouter(ctx: EmulatorContext): Router {
  const router = Router();

  router.get('/login', (req, res) => {
    // The switcher's "nobody" entry sends an empty accountId: that is signing out.
    if (req.query.accountId === '') {
      signOut(ctx, res);
      res.redirect(302, nextPath(req));
      return;
    }
    const accountId = queryText(req, 'accountId');
    if (!ctx.site.findAccount(accountId)) throw new HttpError(404, `No user with accountId ${accountId}`);
    signIn(ctx, res, accountId);
    res.redirect(302, nextPath(req));
  });

  router.get('/logout', (req, res) => {
    signOut(ctx, res);
    res.redirect(302, nextPath(req));
  });

  router.get('/theme', (req, res) => {
    const colorMode = req.query.colorMode;
    if (!isColorModeChoice(colorMode)) throw new HttpError(400, `The query parameter colorMode must be one of ${COLOR_MODES.join(', ')}`);
    rememberColorMode(ctx, res, colorMode);
    res.redirect(302, nextPath(req));
  });

  const pageJson = (p: Page) => ({ id: p.id, spaceKey: p.spaceKey, title: p.title, url: `${ctx.urls.baseUrl}${pagePath(p)}` });

  router.get('/pages', (_req, res) => {
    res.json(ctx.site.listPages().map(pageJson));
  });

  router.post('/pages', express.json(), (req, res) => {
    const input = validBody(newPageSchema, req);
    if (!SEEDED_SPACES.some((s) => s.key === input.spaceKey))
      throw new HttpError(404, `No space ${input.spaceKey}; the spaces are ${SEEDED_SPACES.map((s) => s.key).join(', ')}`);
    const author = input.authorAccountId ?? SEEDED_USERS.admin.accountId;
    if (!ctx.site.findAccount(author)) throw new HttpError(404, `No user with accountId ${author}`);
    const page = ctx.site.addPage({
      spaceKey: input.spaceKey,
      title: input.title,
      authorAccountId: author,
      createdDate: new Date().toISOString(),
      ...(input.viewers ? { viewers: input.viewers } : {}),
    });
    res.status(201).json(pageJson(page));
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
      const page = ctx.site.findPage(String(req.query.pageId));
      if (!page) throw new HttpError(404, `No page ${req.query.pageId}`);
      const space = SEEDED_SPACES.find((s) => s.key === page.spaceKey);
      context = { page: { id: page.id }, ...(space ? { space: { key: space.key, id: space.id } } : {}) };
    }
    res.json({ url: iframeUrl(ctx, module, user, context) });
  });

  return router;
}
