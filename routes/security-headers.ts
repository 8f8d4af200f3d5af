/**
 * HTTP hardening (docs/security.md): the headers every answer carries, and the wider policy of
 * an iframe page, which only the site it belongs to may frame.
 *
 * Every answer starts non-embeddable and uncacheable: `Cache-Control: no-store` (static files
 * set their own), a Content-Security-Policy that allows nothing (`default-src 'none'`,
 * `frame-ancestors 'none'`), `X-Frame-Options: DENY`, `X-Content-Type-Options: nosniff`,
 * `Referrer-Policy: no-referrer` (an iframe's URL carries its JWT) and helmet's other defaults.
 * An iframe page replaces the policy with {@link pagePolicy} once it knows its site.
 */
import type { RequestHandler, Response } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

/** Where Atlassian serves the Connect JavaScript (ACE's default for `hostScriptUrl`). */
export const ATLASSIAN_ALL_JS = 'https://connect-cdn.atl-paas.net/all.js';
/** Confluence Cloud sites; in production they may frame every page, as Confluence shows apps on its own hosts. */
const ATLASSIAN_SITES = 'https://*.atlassian.net';
/** An origin a CSP source expression can name: scheme, DNS host (no IPv6 literal), port. */
const CSP_ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?$/;

/** The policy of everything that is not an iframe page: JSON, files, the descriptor. */
const NOTHING = {
  defaultSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
};

export function securityHeaders(): RequestHandler {
  const headers = {
    contentSecurityPolicy: { useDefaults: false, directives: NOTHING },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  } satisfies HelmetOptions;
  const production = helmet(headers);
  // Without TLS (development on localhost) HSTS means nothing, and on localhost it would pin
  // every other local server to https.
  const development = helmet({ ...headers, strictTransportSecurity: false });
  return (req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    (req.app.get('env') === 'production' ? production : development)(req, res, next);
  };
}

export interface PagePolicy {
  /** The installed site's base URL, from the verified token; unknown before authentication. */
  siteBaseUrl?: string;
  /** The Connect JavaScript the page loads. */
  hostScriptUrl: string;
  production: boolean;
}

/**
 * The Content-Security-Policy of an iframe page: its own scripts and styles, Atlassian's
 * all.js, calls to Keepsake only, and framing by the site it was rendered for (plus
 * `*.atlassian.net` in production). A page for an unknown site (a failure before
 * authentication) is framed by `*.atlassian.net` in production and by nobody in development.
 */
export function pagePolicy({ siteBaseUrl, hostScriptUrl, production }: PagePolicy): string {
  const ancestors = [siteOrigin(siteBaseUrl), production ? ATLASSIAN_SITES : undefined].filter((s): s is string => Boolean(s));
  const directives: Record<string, string[]> = {
    'default-src': ["'none'"],
    'script-src': ["'self'", scriptSource(hostScriptUrl)].filter((s): s is string => Boolean(s)),
    // AP.theming's design tokens: all.js adds stylesheets from its own origin (docs/ui.md, Themes).
    'style-src': ["'self'", themeStyleSource(hostScriptUrl)].filter((s): s is string => Boolean(s)),
    // The admin page draws its bar chart with style attributes (views/admin.hbs); attributes
    // cannot run script.
    'style-src-attr': ["'unsafe-inline'"],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'"],
    'form-action': ["'self'"],
    'base-uri': ["'none'"],
    'frame-ancestors': ancestors.length > 0 ? [...new Set(ancestors)] : ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

/** Gives an iframe page its policy: embeddable where {@link pagePolicy} says, and nowhere else. */
export function setPagePolicy(res: Response, policy: PagePolicy): void {
  res.setHeader('Content-Security-Policy', pagePolicy(policy));
  // frame-ancestors decides; X-Frame-Options cannot name a site.
  res.removeHeader('X-Frame-Options');
  // The page is made to be embedded by another origin (Confluence's).
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
}

function siteOrigin(baseUrl: string | undefined): string | undefined {
  if (!baseUrl) return undefined;
  try {
    const { origin } = new URL(baseUrl);
    return CSP_ORIGIN.test(origin) ? origin : undefined;
  } catch {
    return undefined;
  }
}

/** all.js by its exact URL (a CSP source may name one file); its origin if the URL has a query. */
function scriptSource(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (!CSP_ORIGIN.test(parsed.origin)) return undefined;
    return parsed.search || /[;,\s']/.test(parsed.pathname) ? parsed.origin : parsed.origin + parsed.pathname;
  } catch {
    return undefined;
  }
}

/**
 * Where all.js loads the design-token stylesheets from: its own origin (atlassian-connect-js
 * src/plugin/theming.js adds `themes/*.css` and `surfaces.css` from Atlassian's CDN, which
 * serves all.js; the emulator serves both the same way).
 */
function themeStyleSource(url: string): string | undefined {
  try {
    const { origin } = new URL(url);
    return CSP_ORIGIN.test(origin) ? origin : undefined;
  } catch {
    return undefined;
  }
}
