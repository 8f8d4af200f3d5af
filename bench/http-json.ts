// One JSON call over HTTP for the bench's set-up and control calls (never for the load itself,
// which autocannon generates): a non-2xx answer is an error that names the call and the answer.
export class HttpCallError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    call: string,
  ) {
    super(`${call} → ${status} ${body.slice(0, 300)}`);
  }
}

export async function json<T = unknown>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new HttpCallError(response.status, text, `${method} ${new URL(url).pathname}`);
  return (text ? JSON.parse(text) : undefined) as T;
}
