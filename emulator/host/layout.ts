// The frame of every host page: a Confluence-like top bar with the site's navigation, a
// visible user switcher and a theme switch, the page body, and — when the page has app
// iframes — the Connect host scripts in the order they need: jQuery, `window.AJS = {$: jQuery}`,
// connect-host.js, the bridge. The <html> carries the chosen theme (color-mode.ts).
import type { Request } from 'express';
import type { Account } from '../accounts';
import type { EmulatorContext } from '../emulator-context';
import {
  AUTO_COLOR_MODE_SCRIPT,
  COLOR_MODE_LABELS,
  COLOR_MODES,
  type ColorModeChoice,
  HOST_THEME,
  HOST_THEME_STYLESHEETS,
  chosenColorMode,
  renderedColorMode,
} from './color-mode';
import { installedModules } from './app-modules';
import { allConditionsHold } from './conditions';
import { bundledFeatureGatesVersion, FAVICON_SVG } from './connect-assets';
import { Html, html, jsonScript } from './html';
import type { HostPageData } from './page-data';
import { userLocaleSwitch } from './user-locale-switch';

export interface HostPage {
  title: string;
  body: Html;
  /** Present when the page shows app iframes. */
  data?: HostPageData;
  /** Where the user switcher sends the browser back to. */
  returnTo: string;
}

function userSwitcher(ctx: EmulatorContext, user: Account | undefined, returnTo: string): Html {
  const options = ctx.site
    .listAccounts()
    .map(
      (a) =>
        html`<option value="${a.accountId}" ${a.accountId === user?.accountId ? html`selected` : ''}>
          ${a.displayName}${a.siteAdmin ? ' (admin)' : ''}
        </option>`,
    );
  return html`<form class="user-switcher" method="get" action="/_emulator/login">
    <label for="emulator-user">Signed in as</label>
    <select id="emulator-user" name="accountId">
      <option value="" ${user ? '' : html`selected`}>nobody (sign out)</option>
      ${options}
    </select>
    <input type="hidden" name="next" value="${returnTo}" />
    <button type="submit">Switch user</button>
  </form>`;
}

/** Light, dark or the system's, for this browser (GET /_emulator/theme sets it and comes back). */
function themeSwitch(choice: ColorModeChoice, returnTo: string): Html {
  const options = COLOR_MODES.map(
    (mode) => html`<option value="${mode}" ${mode === choice ? html`selected` : ''}>${COLOR_MODE_LABELS[mode]}</option>`,
  );
  return html`<form class="theme-switch" method="get" action="/_emulator/theme">
    <label for="emulator-theme">Theme</label>
    <select id="emulator-theme" name="colorMode">
      ${options}
    </select>
    <input type="hidden" name="next" value="${returnTo}" />
    <button type="submit">Apply theme</button>
  </form>`;
}

/**
 * The locations of Confluence's header and its menus that show general pages, from
 * https://developer.atlassian.com/cloud/confluence/extension-point-locations/ ("Web-Item, General
 * Page, Admin Page"): the header itself, the help menu and the profile menu. A general page
 * without a location is shown in the header too ("by default a link to the page is displayed in
 * the main navigation menu", Connect's Page module docs). A page at any other location (Jira's
 * `system.top.navigation.bar`, a space tools section, …) is not in the header.
 */
export const HEADER_LOCATIONS = [
  'system.header/left',
  'system.help/pages',
  'system.user/user-preferences',
  'system.user/user-content',
  'system.user/user-operations',
] as const;

export function isHeaderLocation(location: string | undefined): boolean {
  return location === undefined || (HEADER_LOCATIONS as readonly string[]).includes(location);
}

function navigation(ctx: EmulatorContext, user: Account | undefined): Html {
  const generalPages = installedModules(ctx.site.listApps(), 'generalPages').filter(
    (m) => isHeaderLocation(m.location) && allConditionsHold({ ctx, app: m.app, user }, m.conditions),
  );
  return html`<nav aria-label="Site">
    <ul>
      <li><a href="/wiki/">Home</a></li>
      ${generalPages.map((m) => html`<li><a href="/wiki/plugins/servlet/ac/${encodeURIComponent(m.app.key)}/${encodeURIComponent(m.key)}">${m.name}</a></li>`)}
      ${user?.siteAdmin ? html`<li><a href="/wiki/plugins/servlet/upm">Manage apps</a></li>` : ''}
    </ul>
  </nav>`;
}

/**
 * The globals Confluence's own page defines before connect-host.js runs (docs/emulator.md,
 * "Facts about atlassian-connect-js"): AJS.$ (jQuery); the page's feature-gate client, which
 * connect-host.js adopts from `window.__FEATUREGATES_JS__` instead of its own uninitialised copy
 * (otherwise: "[ACJS] Feature flag service is not initialised"), here an initialised one with
 * every gate off and the bundled client's version (a different one makes it warn); and
 * `window.Confluence`, by which connect-host.js knows it runs in Confluence, which does not
 * provide `ac/analytics` through `window.require` (otherwise it logs "Connect GasV3 catch
 * TypeError: window.require is not a function" on every analytics event).
 */
function hostGlobals(): Html {
  const version = JSON.stringify(bundledFeatureGatesVersion()).replace(/</g, '\\u003c');
  return new Html(
    `window.AJS = { $: window.jQuery };
    window.__FEATUREGATES_JS__ = { getPackageVersion: function () { return ${version}; }, initializeCalled: function () { return true; }, initializeCompleted: function () { return true; }, checkGate: function () { return false; } };
    window.Confluence = window.Confluence || {};`,
  );
}

export function renderHostPage(ctx: EmulatorContext, req: Request, user: Account | undefined, page: HostPage): string {
  const colorMode = chosenColorMode(ctx, req);
  const scripts = page.data
    ? html`${jsonScript('emulator-host-data', page.data)}
        <script src="/_emulator/host/static/jquery.js"></script>
        <script>
          ${hostGlobals()};
        </script>
        <script src="/_emulator/host/static/connect/connect-host.js"></script>
        <script src="/_emulator/host/static/host-bridge.js"></script>`
    : '';
  return html`<!DOCTYPE html>
    <html lang="en" data-color-mode="${renderedColorMode(colorMode)}" data-theme="${HOST_THEME}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${page.title} - Confluence (emulated)</title>
        ${
          colorMode === 'auto'
            ? html`<script>
                ${new Html(AUTO_COLOR_MODE_SCRIPT)};
              </script>`
            : ''
        }
        <link rel="icon" type="image/svg+xml" href="data:image/svg+xml,${encodeURIComponent(FAVICON_SVG)}" />
        ${HOST_THEME_STYLESHEETS.map((file) => html`<link rel="stylesheet" href="/_emulator/host/static/connect/themes/${file}" />`)}
        <link rel="stylesheet" href="/_emulator/host/static/connect/connect-host.css" />
        <link rel="stylesheet" href="/_emulator/host/static/host.css" />
      </head>
      <body>
        <a class="skip-link" href="#main">Skip to content</a>
        <header class="top-bar">
          <a class="product" href="/wiki/"><span class="logo" aria-hidden="true"></span>Confluence <small>emulated</small></a>
          ${navigation(ctx, user)} ${userSwitcher(ctx, user, page.returnTo)} ${themeSwitch(colorMode, page.returnTo)}
          ${userLocaleSwitch(user, page.returnTo)}
        </header>
        <main id="main">${page.body}</main>
        ${scripts}
      </body>
    </html>`.markup;
}
