// The colour theme a person chose on the emulated site — light, dark or the system's, as in
// Confluence Cloud's Settings → Appearance — and the attributes it puts on the host page's
// <html>. connect-host.js reads those attributes (@atlaskit/tokens getGlobalTheme) when an app
// calls AP.theming.initializeTheming() and watches them for changes, so they are all an app's
// iframe gets (docs/emulator.md, "Themes").
//
// The attribute values are what @atlaskit/tokens 4.2.0 (atlassian-connect-js's own copy) writes:
// getThemeHtmlAttrs() always names both colour themes in data-theme and resolves `auto` in
// data-color-mode; getSSRAutoScript('auto') resolves it before paint and ColorModeObserver keeps
// it in step with the system. The package itself is not used here: every call of it checks a
// feature gate that logs an error outside Atlassian's pages.
import type { Request, Response } from 'express';
import type { EmulatorContext } from '../emulator-context';
import { readCookie, siteCookieName } from './site-cookie';

export const COLOR_MODES = ['light', 'dark', 'auto'] as const;
export type ColorModeChoice = (typeof COLOR_MODES)[number];

/** The words the theme switch shows for each choice. */
export const COLOR_MODE_LABELS: Record<ColorModeChoice, string> = { light: 'Light', dark: 'Dark', auto: 'Match system' };

const COLOR_MODE_COOKIE = 'emulator.theme';

/** Confluence's default for a person who never chose: light (assumed; docs/emulator.md). */
const DEFAULT_COLOR_MODE: ColorModeChoice = 'light';

/** data-theme: both colour themes, then spacing and the typography the host pages load. */
export const HOST_THEME = 'dark:dark light:light spacing:spacing typography:typography-adg3';

/** The token stylesheets (atlassian-connect-js dist/themes) the host pages load for HOST_THEME. */
export const HOST_THEME_STYLESHEETS = ['light', 'dark', 'spacing', 'typography-adg3'].map((id) => `atlaskit-tokens_${id}.css`);

export function isColorModeChoice(value: unknown): value is ColorModeChoice {
  return typeof value === 'string' && (COLOR_MODES as readonly string[]).includes(value);
}

/** This browser's choice on this site (kept like the session, in a cookie of the site's). */
export function chosenColorMode(ctx: EmulatorContext, req: Request): ColorModeChoice {
  const value = readCookie(req, siteCookieName(ctx, COLOR_MODE_COOKIE));
  return isColorModeChoice(value) ? value : DEFAULT_COLOR_MODE;
}

export function rememberColorMode(ctx: EmulatorContext, res: Response, choice: ColorModeChoice): void {
  res.cookie(siteCookieName(ctx, COLOR_MODE_COOKIE), choice, { sameSite: 'lax', path: '/', maxAge: 365 * 24 * 3600 * 1000 });
}

/** data-color-mode as the server writes it: `auto` starts light until the script below runs. */
export function renderedColorMode(choice: ColorModeChoice): 'light' | 'dark' {
  return choice === 'auto' ? 'light' : choice;
}

/**
 * For `auto`: a script for the <head> that sets data-color-mode from the system's preference
 * before paint and again whenever the system's preference changes (getSSRAutoScript and
 * ColorModeObserver.bind of @atlaskit/tokens, in one). connect-host.js's ThemeMutationObserver
 * sees each change and sends it to every app that asked for theming.
 */
export const AUTO_COLOR_MODE_SCRIPT = `(() => {
  try {
    const darkModeMql = window.matchMedia('(prefers-color-scheme: dark)');
    const apply = () => document.documentElement.setAttribute('data-color-mode', darkModeMql.matches ? 'dark' : 'light');
    apply();
    darkModeMql.addEventListener('change', apply);
  } catch (e) {}
})()`;
