// How Forge names the emulated site: its cloudId and the API base URL Forge tokens are used
// at. Real remotes call `${app.apiBaseUrl}/wiki/rest/api/...` with
// app.apiBaseUrl = https://api.atlassian.com/ex/confluence/<cloudId>
// (https://developer.atlassian.com/platform/forge/remote/calling-product-apis/); the emulator
// serves the same path shape on its own origin (api-gateway.ts).
import { createHash } from 'node:crypto';
import type { EmulatorContext } from '../emulator-context';

/** A UUID derived from the site's token key: stable across restarts with a state file, new after a reset. */
export function cloudIdOf(ctx: EmulatorContext): string {
  const hex = createHash('sha256').update(`cloudId\u0000${ctx.site.tokenSecret}`).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export const API_GATEWAY_PREFIX = '/ex/confluence';

/** What a remote puts in front of /wiki/rest/api/... (the FIT's app.apiBaseUrl). */
export function apiBaseUrlOf(ctx: EmulatorContext): string {
  return `${ctx.urls.baseUrl}${API_GATEWAY_PREFIX}/${cloudIdOf(ctx)}`;
}

/** The FIT's context.siteUrl: the site's address without /wiki (as in Atlassian's example). */
export function siteUrlOf(ctx: EmulatorContext): string {
  return ctx.urls.baseUrl;
}
