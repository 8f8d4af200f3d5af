// AP.request: a call to the site's REST API made by the host for the iframe, as the signed-in
// user with the app's scopes (docs/platform-facts.md §8). The emulator runs it through the same
// code path as POST /_emulator/ap-request, as-user restriction included. Resolves
// {body, xhr} on 2xx (body is text) and rejects with {err, xhr} otherwise, as Connect
// documents (`AP.request(…).catch(e => e.err)`).
import type { ModuleCallback, ModuleMethod } from './connect-host-types';
import { hostApi } from './host-api-client';

interface RequestOptions {
  url?: string;
  type?: string;
  data?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

interface HostRequestAnswer {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: string;
}

/** What reaches the iframe in place of an XMLHttpRequest (only cloneable fields cross postMessage). */
function xhrLike(answer: HostRequestAnswer): object {
  return {
    readyState: 4,
    status: answer.status,
    statusText: answer.statusText,
    responseText: answer.body,
    headers: answer.headers,
  };
}

function normalise(urlOrOptions: string | RequestOptions, options: RequestOptions | undefined): RequestOptions {
  return typeof urlOrOptions === 'string' ? { ...(options ?? {}), url: urlOrOptions } : { ...(urlOrOptions ?? {}) };
}

async function request(
  urlOrOptions: string | RequestOptions,
  options: RequestOptions | undefined,
  callback: ModuleCallback,
): Promise<object> {
  const opts = normalise(urlOrOptions, options);
  const method = (opts.type ?? 'GET').toUpperCase();
  let path = opts.url ?? '';
  let body: unknown;
  if (method === 'GET' && opts.data && typeof opts.data === 'object') {
    const query = new URLSearchParams(Object.entries(opts.data as Record<string, string>)).toString();
    path += (path.includes('?') ? '&' : '?') + query;
  } else if (opts.data !== undefined) {
    body = typeof opts.data === 'string' ? opts.data : JSON.stringify(opts.data);
  }
  const answer = await hostApi<HostRequestAnswer>('/request', {
    appKey: callback._context.extension.addon_key,
    method,
    path,
    ...(body === undefined ? {} : { body, contentType: opts.contentType ?? 'application/json' }),
    ...(opts.headers ? { headers: opts.headers } : {}),
  });
  if (answer.status >= 200 && answer.status < 300) return { body: answer.body, xhr: xhrLike(answer) };
  throw { err: answer.statusText, xhr: xhrLike(answer) };
}

export const requestModule: Record<string, ModuleMethod> = { request };
requestModule.request.returnsPromise = true;
