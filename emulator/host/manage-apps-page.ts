// /wiki/plugins/servlet/upm: the admin's "Manage apps" page. Lists installed apps (with their
// configure page) and installs one from a descriptor URL through the same path as UPM's REST
// API. Site admins only.
import express, { Router, type Request, type Response } from 'express';
import { installApp, InstallError, uninstallApp } from '../install/lifecycle';
import type { EmulatorContext } from '../emulator-context';
import { iframeModules } from './app-modules';
import { type Html, html } from './html';
import { renderHostPage } from './layout';
import { signedInAccount } from './session';

const PATH = '/wiki/plugins/servlet/upm';
const crossOrigin = html`<p class="notice error" role="alert">That request did not come from this site's own page, so it was refused.</p>`;

function render(ctx: EmulatorContext, req: Request, res: Response, status: number, notice?: Html): void {
  const user = signedInAccount(ctx, req);
  if (!user?.siteAdmin) {
    res
      .status(user ? 403 : 401)
      .type('html')
      .send(
        renderHostPage(ctx, req, user, {
          title: 'Manage apps',
          returnTo: PATH,
          body: html`<h1>Manage apps</h1>
            <p role="alert">Only Confluence administrators can manage apps.</p>`,
        }),
      );
    return;
  }
  const apps = ctx.site.listApps();
  const rows = apps.map((app) => {
    const configure = iframeModules(app).find((m) => m.type === 'configurePage');
    return html`<tr>
      <td>${app.name}</td>
      <td><code>${app.key}</code></td>
      <td>${app.status}</td>
      <td><code>${app.baseUrl}</code></td>
      <td>
        ${app.status === 'installed' && configure ? html`<a href="/wiki/plugins/servlet/ac/${encodeURIComponent(app.key)}/${encodeURIComponent(configure.key)}">Configure</a>` : ''}
        ${app.status === 'installed' ? html`<form method="post" action="${PATH}/uninstall" class="inline"><input type="hidden" name="appKey" value="${app.key}" /><button type="submit">Uninstall</button></form>` : ''}
      </td>
    </tr>`;
  });
  res
    .status(status)
    .type('html')
    .set('Cache-Control', 'no-store')
    .send(
      renderHostPage(ctx, req, user, {
        title: 'Manage apps',
        returnTo: PATH,
        body: html`<h1>Manage apps</h1>
          ${notice ?? ''}
          <table class="apps">
            <caption>
              Installed apps
            </caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col">Status</th>
                <th scope="col">Base URL</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              ${
                rows.length
                  ? rows
                  : html`<tr>
                      <td colspan="5">No apps installed yet.</td>
                    </tr>`
              }
            </tbody>
          </table>
          <form method="post" action="${PATH}/install" class="install-form">
            <label for="descriptor-url">Descriptor URL</label>
            <input
              id="descriptor-url"
              name="descriptorUrl"
              type="url"
              required
              placeholder="http://localhost:3000/atlassian-connect.json"
            />
            <button type="submit">Upload app</button>
          </form>`,
      }),
    );
}

/** Form posts must come from the site itself, under any of its loopback names. */
function sameOrigin(ctx: EmulatorContext, req: Request): boolean {
  const origin = req.get('origin');
  if (origin === undefined) return true;
  const port = new URL(ctx.urls.baseUrl).port;
  return [`http://localhost:${port}`, `http://127.0.0.1:${port}`, `http://[::1]:${port}`].includes(origin);
}

export function manageAppsRouter(ctx: EmulatorContext): Router {
  const router = Router();
  router.use(express.urlencoded({ extended: false, limit: '16kb' }));
  router.get('/', (req, res) => render(ctx, req, res, 200));
  router.post('/install', (req, res, next) => {
    if (!signedInAccount(ctx, req)?.siteAdmin || !sameOrigin(ctx, req)) return render(ctx, req, res, 403, crossOrigin);
    const descriptorUrl = String((req.body as { descriptorUrl?: unknown }).descriptorUrl ?? '');
    installApp(ctx, descriptorUrl).then(
      (app) => render(ctx, req, res, 200, html`<p class="notice success" role="status">Installed ${app.name} (${app.key}).</p>`),
      (err: unknown) => {
        if (err instanceof InstallError) render(ctx, req, res, 400, html`<p class="notice error" role="alert">${err.message}</p>`);
        else next(err);
      },
    );
  });
  router.post('/uninstall', (req, res, next) => {
    const user = signedInAccount(ctx, req);
    if (!user?.siteAdmin || !sameOrigin(ctx, req)) return render(ctx, req, res, 403, crossOrigin);
    const form = req.body as { appKey?: unknown; confirmed?: unknown };
    const appKey = String(form.appKey ?? '');
    // As UPM does, uninstalling asks first: the list's button only leads here; the app goes
    // when the admin confirms (a second post with confirmed=yes).
    if (form.confirmed !== 'yes') {
      const app = ctx.site.installedApp(appKey);
      if (!app) return render(ctx, req, res, 404, html`<p class="notice" role="status">${appKey} is not installed.</p>`);
      res
        .status(200)
        .type('html')
        .set('Cache-Control', 'no-store')
        .send(
          renderHostPage(ctx, req, user, {
            title: 'Uninstall app',
            returnTo: PATH,
            body: html`<h1>Manage apps</h1>
              <section class="confirm" role="alertdialog" aria-labelledby="confirm-title" aria-describedby="confirm-text">
                <h2 id="confirm-title">Uninstall ${app.name}?</h2>
                <p id="confirm-text">
                  Are you sure you want to uninstall ${app.name} (<code>${app.key}</code>)? Its pages and panels disappear for everyone on
                  this site.
                </p>
                <form method="post" action="${PATH}/uninstall" class="inline">
                  <input type="hidden" name="appKey" value="${app.key}" /><input type="hidden" name="confirmed" value="yes" />
                  <button type="submit" class="danger">Uninstall app</button>
                </form>
                <a href="${PATH}">Cancel</a>
              </section>`,
          }),
        );
      return;
    }
    uninstallApp(ctx, appKey).then(
      (removed) =>
        render(
          ctx,
          req,
          res,
          removed ? 200 : 404,
          html`<p class="notice" role="status">${removed ? `Uninstalled ${appKey}.` : `${appKey} is not installed.`}</p>`,
        ),
      next,
    );
  });
  return router;
}
