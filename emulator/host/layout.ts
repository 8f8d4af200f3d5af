// The frame of every host page: a Confluence-like top bar with the site's navigation and a
// visible user switcher, the page body, and — when the page has app iframes — the Connect host
// scripts in the order they need: jQuery, `window.AJS = {$: jQuery}`, connect-host.js, the bridge.
import type { Account } from '../accounts';
import type { EmulatorContext } from '../emulator-context';
import { installedModules } from './app-modules';
import { allConditionsHold } from './conditions';
import { type Html, html, jsonScript } from './html';
import type { HostPageData } from './page-data';

export interface HostPage {
  title: string;
  body: Html;
  /** Present when the page shows app iframes. */
  data?: HostPageData;
  /** Where the user switcher sends the browser back to. */
  returnTo: string;
}

function userSwitcher(ctx: EmulatorContext, user: Account | undefined, returnTo: string): Html {
  const options = ctx.site.listAccounts().map(
    (a) => html`<option value="${a.accountId}" ${a.accountId === user?.accountId ? html`selected` : ''}>${a.displayName}${a.siteAdmin ? ' (admin)' : ''}</option>`,
  );
  return html`<form class="user-switcher" method="get" action="/_emulator/login">
    <label for="emulator-user">Signed in as</label>
    <select id="emulator-user" name="accountId"><option value="" ${user ? '' : html`selected`}>nobody (sign out)</option>${options}</select>
    <input type="hidden" name="next" value="${returnTo}">
    <button type="submit">Switch user</button>
  </form>`;
}

function navigation(ctx: EmulatorContext, user: Account | undefined): Html {
  const generalPages = installedModules(ctx.site.listApps(), 'generalPages').filter((m) =>
    allConditionsHold({ ctx, app: m.app, user }, m.conditions),
  );
  return html`<nav aria-label="Site"><ul>
    <li><a href="/wiki/">Home</a></li>
    ${generalPages.map((m) => html`<li><a href="/wiki/plugins/servlet/ac/${encodeURIComponent(m.app.key)}/${encodeURIComponent(m.key)}">${m.name}</a></li>`)}
    ${user?.siteAdmin ? html`<li><a href="/wiki/plugins/servlet/upm">Manage apps</a></li>` : ''}
  </ul></nav>`;
}

export function renderHostPage(ctx: EmulatorContext, user: Account | undefined, page: HostPage): string {
  const scripts = page.data
    ? html`${jsonScript('emulator-host-data', page.data)}
    <script src="/_emulator/host/static/jquery.js"></script>
    <script>window.AJS = { $: window.jQuery };</script>
    <script src="/_emulator/host/static/connect/connect-host.js"></script>
    <script src="/_emulator/host/static/host-bridge.js"></script>`
    : '';
  return html`<!DOCTYPE html>
<html lang="en" data-color-mode="light" data-theme="light:light spacing:spacing typography:typography-adg3">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${page.title} - Confluence (emulated)</title>
  <link rel="stylesheet" href="/_emulator/host/static/connect/themes/atlaskit-tokens_light.css">
  <link rel="stylesheet" href="/_emulator/host/static/connect/themes/atlaskit-tokens_spacing.css">
  <link rel="stylesheet" href="/_emulator/host/static/connect/themes/atlaskit-tokens_typography-adg3.css">
  <link rel="stylesheet" href="/_emulator/host/static/connect/connect-host.css">
  <link rel="stylesheet" href="/_emulator/host/static/host.css">
</head>
<body>
  <a class="skip-link" href="#main">Skip to content</a>
  <header class="top-bar">
    <a class="product" href="/wiki/"><span class="logo" aria-hidden="true"></span>Confluence <small>emulated</small></a>
    ${navigation(ctx, user)}
    ${userSwitcher(ctx, user, page.returnTo)}
  </header>
  <main id="main">${page.body}</main>
  ${scripts}
</body>
</html>`.markup;
}
