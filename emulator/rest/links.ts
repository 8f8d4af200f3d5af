// The `_links` block Confluence REST v1 puts on resources: absolute self, plus base and context.
import type { EmulatorUrls } from '../emulator-context';

export interface Links {
  self: string;
  base: string;
  context: string;
  [rel: string]: string;
}

/** `pathUnderWiki` is relative to the site, e.g. `/rest/api/user/current`. */
export function linksFor(urls: EmulatorUrls, pathUnderWiki: string, extra: Record<string, string> = {}): Links {
  return { self: `${urls.siteUrl}${pathUnderWiki}`, base: urls.siteUrl, context: '/wiki', ...extra };
}
