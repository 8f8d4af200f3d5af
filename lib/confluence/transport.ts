/**
 * The port a platform adapter fills to reach one site's Confluence: one signed HTTP call, as
 * the app or as a user, and its raw answer. Connect signs with the install's JWT or a user's
 * OAuth token (platform/connect/ace-transport.ts); Forge Remote would send the bearer token its
 * invocation carries. Timeouts, retries and error mapping stay in client.ts, above any transport.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Who a call acts as: the app itself, or a user (Connect's ACT_AS_USER impersonation). */
export type Acting = { as: 'app' } | { as: 'user'; accountId: string };
export const AS_APP: Acting = { as: 'app' };

export interface TransportRequest {
  method: HttpMethod;
  /** Relative to the site's baseUrl (which ends in /wiki), e.g. `/rest/api/user/current`. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  acting: Acting;
  /** Time allowed for the HTTP request itself. */
  timeoutMs: number;
}

export interface TransportResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Signed calls to one site's Confluence. */
export interface ConfluenceTransport {
  /** Rejects with {@link SigningFailure} when the call could not be signed; any other rejection is a network failure. */
  send(request: TransportRequest): Promise<TransportResponse>;
}

/** The transport could not sign the call (no install record, no token for the user): nothing was sent. */
export class SigningFailure extends Error {
  constructor(readonly reason: unknown) {
    super(reason instanceof Error ? reason.message : String(reason));
  }
}
