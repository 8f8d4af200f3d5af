// The code path of AP.request: a call from a user's iframe of an app, run as that user and
// checked against the app's scopes (docs/platform-facts.md §8). Used by POST /_emulator/ap-request
// and by the host pages. The call goes over loopback through the same REST stack (faults,
// request log, as-user restriction), authenticated with a one-time ticket.
import { AP_REQUEST_AUTH_SCHEME } from './auth/ap-request-tickets';
import type { EmulatorContext } from './emulator-context';
import { HttpError } from './errors';

export interface ApRequestCall {
  appKey: string;
  accountId: string;
  method: string;
  /** Relative to the site (`/wiki`), as AP.request takes it: e.g. `/rest/api/user/current`. */
  path: string;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface ApRequestResult {
  status: number;
  headers: Record<string, string>;
  /** The body as text, as AP.request resolves it. */
  body: string;
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD']);
/** Headers the iframe may not set (the host decides who is calling). */
const FORBIDDEN_HEADERS = new Set(['authorization', 'cookie', 'host', 'content-length']);

function targetUrl(ctx: EmulatorContext, path: string): string {
  if (!path.startsWith('/') || path.startsWith('//')) {
    throw new HttpError(
      400,
      `path must be relative to the site and start with "/", e.g. "/rest/api/user/current"; got ${JSON.stringify(path)}`,
    );
  }
  const url = new URL(`${ctx.urls.siteUrl}${path}`);
  if (!url.pathname.startsWith('/wiki/')) throw new HttpError(400, `path ${JSON.stringify(path)} leaves the site`);
  return url.toString();
}

export async function callAsUser(ctx: EmulatorContext, call: ApRequestCall): Promise<ApRequestResult> {
  const method = call.method.toUpperCase();
  if (!METHODS.has(method))
    throw new HttpError(400, `method must be one of ${[...METHODS].join(', ')}; got ${JSON.stringify(call.method)}`);
  if (!ctx.site.installedApp(call.appKey)) throw new HttpError(404, `The app ${call.appKey} is not installed on this site`);
  if (!ctx.site.findAccount(call.accountId)) throw new HttpError(404, `No user with accountId ${call.accountId}`);
  const url = targetUrl(ctx, call.path);

  const headers: Record<string, string> = { Accept: 'application/json' };
  for (const [name, value] of Object.entries(call.headers ?? {})) {
    if (!FORBIDDEN_HEADERS.has(name.toLowerCase())) headers[name] = value;
  }
  let body: string | undefined;
  if (call.body !== undefined && method !== 'GET' && method !== 'HEAD') {
    body = typeof call.body === 'string' ? call.body : JSON.stringify(call.body);
    headers['Content-Type'] = call.contentType ?? 'application/json';
  }
  const ticket = ctx.apTickets.issue({ appKey: call.appKey, accountId: call.accountId });
  headers.Authorization = `${AP_REQUEST_AUTH_SCHEME} ${ticket}`;

  const response = await fetch(url, { method, headers, body });
  const responseHeaders: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    responseHeaders[name] = value;
  });
  return { status: response.status, headers: responseHeaders, body: await response.text() };
}
