// The scripts and styles the host pages and app iframes load, all served locally (nothing
// here needs the network): atlassian-connect-js's dist/iframe.js as /atlassian-connect/all.js
// (with the AP.request callback shim appended), its connect-host.js and CSS, jQuery, the
// design tokens from its dist/themes, and the emulator's own bridge (browser/host-bridge.ts,
// bundled with esbuild on first use).
//
// Atlassian's CDN serves all.js and the stylesheets all.js adds to an iframe (AP.theming's
// themes/atlaskit-tokens_{id}.css, surfaces.css, legacy-text-colors.css) from one origin,
// https://connect-cdn.atl-paas.net. The emulator serves them the same way, from its own origin:
// all.js names that origin where it names the CDN, so an app's theming stays on this machine.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import express, { type Response, Router } from 'express';

const CONNECT_DIST = join(dirname(require.resolve('atlassian-connect-js/package.json')), 'dist');
const JQUERY = require.resolve('jquery/dist/jquery.min.js');
const BROWSER_SOURCES = join(__dirname, 'browser');
const STATIC = join(__dirname, 'static');

const bundles = new Map<string, Promise<string>>();

/** Bundles one browser entry point once per process (a few milliseconds with esbuild). */
function bundle(entry: string): Promise<string> {
  let pending = bundles.get(entry);
  if (!pending) {
    pending = build({
      entryPoints: [join(BROWSER_SOURCES, entry)],
      bundle: true,
      write: false,
      format: 'iife',
      target: 'es2020',
      minify: false,
      logLevel: 'silent',
    }).then((result) => result.outputFiles[0].text);
    bundles.set(entry, pending);
  }
  return pending;
}

/** The site's icon: a tiny SVG (a blue rounded square with a white "C"), served at
 *  /favicon.ico (where browsers look by default) and inlined in every host page's <head>. */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#0c66e4"/><path d="M21 11.5a7 7 0 1 0 0 9" fill="none" stroke="#fff" stroke-width="3.5" stroke-linecap="round"/></svg>';

let featureGatesVersion: string | undefined;

/** The version of the feature-gate client bundled in connect-host.js (its CLIENT_VERSION). */
export function bundledFeatureGatesVersion(): string {
  if (featureGatesVersion === undefined) {
    const source = readFileSync(join(CONNECT_DIST, 'connect-host.js'), 'utf8');
    featureGatesVersion = /var CLIENT_VERSION = "([^"]+)"/.exec(source)?.[1] ?? '';
  }
  return featureGatesVersion;
}

/** The CDN origin as dist/iframe.js spells it (src/plugin/theming.js, CDN_DOMAIN and CDN_URL). */
const CDN_ORIGIN_SOURCE = 'var CDN_DOMAIN = "connect-cdn.atl-paas.net";\n  var CDN_URL = "https://" + CDN_DOMAIN;';

/** all.js with the CDN's origin replaced by the one it was served from. */
function allJsServedFrom(iframeJs: string, origin: URL): string {
  if (!iframeJs.includes(CDN_ORIGIN_SOURCE))
    throw new Error('atlassian-connect-js dist/iframe.js no longer names its CDN as connect-assets.ts expects');
  return iframeJs.replace(
    CDN_ORIGIN_SOURCE,
    `var CDN_DOMAIN = ${JSON.stringify(origin.host)};\n  var CDN_URL = ${JSON.stringify(origin.origin)};`,
  );
}

function sendScript(res: Response, source: string): void {
  res.type('application/javascript').set('Cache-Control', 'no-cache').send(source);
}

export function connectAssetsRouter(): Router {
  const router = Router();
  const iframeJs = readFileSync(join(CONNECT_DIST, 'iframe.js'), 'utf8');

  router.get('/favicon.ico', (_req, res) => {
    res.type('image/svg+xml').set('Cache-Control', 'public, max-age=86400').send(FAVICON_SVG);
  });

  router.get('/atlassian-connect/all.js', (req, res, next) => {
    const origin = new URL(`${req.protocol}://${req.get('host') ?? 'localhost'}`);
    bundle('request-callbacks.ts').then((shim) => sendScript(res, `${allJsServedFrom(iframeJs, origin)}\n;${shim}`), next);
  });
  // What all.js adds to an iframe, where the CDN has it.
  const cdnStyles = { index: false, cacheControl: false, setHeaders: (res: Response) => res.set('Cache-Control', 'no-cache') };
  router.use('/themes', express.static(join(CONNECT_DIST, 'themes'), cdnStyles));
  for (const file of ['surfaces.css', 'legacy-text-colors.css']) {
    router.get(`/${file}`, (_req, res) => {
      cdnStyles.setHeaders(res);
      res.sendFile(join(CONNECT_DIST, file));
    });
  }
  router.get('/_emulator/host/static/host-bridge.js', (_req, res, next) => {
    bundle('host-bridge.ts').then((source) => sendScript(res, source), next);
  });
  router.get('/_emulator/host/static/jquery.js', (_req, res) => {
    res.set('Cache-Control', 'no-cache').sendFile(JQUERY);
  });
  router.use(
    '/_emulator/host/static/connect',
    express.static(CONNECT_DIST, { index: false, cacheControl: false, setHeaders: (res) => res.set('Cache-Control', 'no-cache') }),
  );
  router.use(
    '/_emulator/host/static',
    express.static(STATIC, { index: false, cacheControl: false, setHeaders: (res) => res.set('Cache-Control', 'no-cache') }),
  );
  return router;
}
