// The scripts and styles the host pages and app iframes load, all served locally (nothing
// here needs the network): atlassian-connect-js's dist/iframe.js as /atlassian-connect/all.js
// (with the AP.request callback shim appended), its connect-host.js and CSS, jQuery, the
// design tokens from its dist/themes, and the emulator's own bridge (browser/host-bridge.ts,
// bundled with esbuild on first use).
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

function sendScript(res: Response, source: string): void {
  res.type('application/javascript').set('Cache-Control', 'no-cache').send(source);
}

export function connectAssetsRouter(): Router {
  const router = Router();
  const iframeJs = readFileSync(join(CONNECT_DIST, 'iframe.js'), 'utf8');

  router.get('/atlassian-connect/all.js', (_req, res, next) => {
    bundle('request-callbacks.ts').then((shim) => sendScript(res, `${iframeJs}\n;${shim}`), next);
  });
  router.get('/_emulator/host/static/host-bridge.js', (_req, res, next) => {
    bundle('host-bridge.ts').then((source) => sendScript(res, source), next);
  });
  router.get('/_emulator/host/static/jquery.js', (_req, res) => {
    res.set('Cache-Control', 'no-cache').sendFile(JQUERY);
  });
  router.use('/_emulator/host/static/connect', express.static(CONNECT_DIST, { index: false, cacheControl: false, setHeaders: (res) => res.set('Cache-Control', 'no-cache') }));
  router.use('/_emulator/host/static', express.static(STATIC, { index: false, cacheControl: false, setHeaders: (res) => res.set('Cache-Control', 'no-cache') }));
  return router;
}
