/**
 * The one place Keepsake talks to Confluence. A typed promise wrapper over ACE's httpClient
 * (which signs each call with the install's JWT, or a user's OAuth bearer token), adding what
 * ACE lacks: a timeout, bounded retries with back-off on 429 (honouring Retry-After) and on
 * 5xx or timeouts for idempotent calls, JSON parsing, and errors mapped to Keepsake's codes.
 */
import type { IncomingMessage } from 'node:http';
import type { AddOn, ClientInfo, HostClient } from 'atlassian-connect-express';
import { KeepsakeError } from '../errors';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Who a call acts as: the app itself (JWT), or a user through ACT_AS_USER impersonation. */
export type Acting = { as: 'app' } | { as: 'user'; accountId: string };
export const AS_APP: Acting = { as: 'app' };

export interface ConfluenceCall {
  method: HttpMethod;
  /** Relative to the site's baseUrl (which ends in /wiki), e.g. `/rest/api/user/current`. */
  path: string;
  /** A JSON body; serialised as is (app properties take any JSON value as the body). */
  body?: unknown;
  acting?: Acting;
}

export interface ConfluenceReply {
  status: number;
  body: unknown;
}

export interface CallPolicy {
  timeoutMs: number;
  /** Attempts per call, the first included. */
  attempts: number;
  /** The longest Retry-After waited out here; a longer one goes back to the caller as a 429. */
  maxRetryWaitSeconds: number;
  /** Base delay of the exponential back-off between attempts. */
  backoffMs?: number;
}

/** Told of every attempt, so that a site's call and error counts can be kept. */
export type CallObserver = (outcome: { status: number | 'network-error'; call: ConfluenceCall }) => void;

const IDEMPOTENT: ReadonlySet<HttpMethod> = new Set(['GET', 'PUT', 'DELETE']);

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export class ConfluenceClient {
  constructor(
    private readonly addon: AddOn,
    readonly clientKey: string,
    private readonly policy: CallPolicy,
    private readonly observe: CallObserver = () => undefined,
  ) {}

  async send(call: ConfluenceCall): Promise<ConfluenceReply> {
    const { attempts, maxRetryWaitSeconds } = this.policy;
    const backoffMs = this.policy.backoffMs ?? 200;
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= attempts;
      let response: RawResponse;
      try {
        response = await this.once(call);
      } catch (error) {
        if (error instanceof SigningFailure) throw signingError(error);
        this.observe({ status: 'network-error', call });
        if (!last && IDEMPOTENT.has(call.method)) {
          await sleep(backoff(backoffMs, attempt));
          continue;
        }
        throw new KeepsakeError(
          'CONFLUENCE_UNAVAILABLE',
          `Confluence did not answer, or could not be reached. Try again shortly${IDEMPOTENT.has(call.method) ? '' : '; what you saved before is safe'}.`,
          { reason: describe(error) },
          5,
        );
      }
      this.observe({ status: response.status, call });
      const { status } = response;
      if (status === 429) {
        const wait = retryAfterSeconds(response.headers);
        // A 429 means the call was not carried out, so retrying is safe for every method.
        if (!last && wait <= maxRetryWaitSeconds) {
          await sleep(wait * 1000);
          continue;
        }
        throw new KeepsakeError(
          'CONFLUENCE_RATE_LIMITED',
          `Confluence is limiting the rate of Keepsake's calls on this site. Try again in ${wait} seconds.`,
          undefined,
          wait,
        );
      }
      if (status >= 500) {
        if (!last && IDEMPOTENT.has(call.method)) {
          await sleep(backoff(backoffMs, attempt));
          continue;
        }
        throw new KeepsakeError(
          'CONFLUENCE_UNAVAILABLE',
          `Confluence answered ${status}. Try again shortly.`,
          { call: `${call.method} ${call.path}` },
          5,
        );
      }
      if (status === 401) {
        throw new KeepsakeError(
          'CONFLUENCE_REJECTED',
          'Confluence refused Keepsake\'s credentials for this site. A site admin may need to reinstall the app.',
        );
      }
      return { status, body: parseBody(response.text) };
    }
  }

  private http(acting: Acting): HostClient {
    return acting.as === 'user'
      ? this.addon.httpClient({ clientKey: this.clientKey, userAccountId: acting.accountId })
      : this.addon.httpClient({ clientKey: this.clientKey });
  }

  /**
   * One attempt, with a deadline over all of it: before the HTTP request ACE reads the install
   * record and, acting as a user, asks the OAuth server for a token, neither with a time limit.
   */
  private once(call: ConfluenceCall): Promise<RawResponse> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.policy.timeoutMs} ms`)), this.policy.timeoutMs + 1000);
    });
    return Promise.race([this.request(call), deadline]).finally(() => clearTimeout(timer));
  }

  private async request(call: ConfluenceCall): Promise<RawResponse> {
    const client = this.http(call.acting ?? AS_APP);
    // ACE reports a refused OAuth token like a network failure; asking for it first (ACE keeps
    // it, so the call below reuses it) tells the two apart.
    if (call.acting?.as === 'user') await this.userToken(client);
    const options = {
      url: call.path,
      timeout: this.policy.timeoutMs,
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
    };
    const verb = { GET: client.get, POST: client.post, PUT: client.put, DELETE: client.del }[call.method];
    return new Promise<RawResponse>((resolve, reject) => {
      // ACE resolves its promise with the request object, not the response: only the
      // callback sees the response (confluence-facts.md §6). A failure to sign (for example
      // no token from the OAuth server) rejects the promise instead.
      const pending = verb.call(client, options, (err: unknown, res: IncomingMessage, body: unknown) => {
        if (err) return reject(err instanceof Error ? err : new Error(String(err)));
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: typeof body === 'string' ? body : '' });
      });
      Promise.resolve(pending).catch(reject);
    });
  }

  private async userToken(client: HostClient): Promise<void> {
    try {
      const info = await this.addon.settings.get<ClientInfo | null>('clientInfo', this.clientKey);
      if (!info) throw new Error('no install record for this site');
      await client.getUserBearerToken([], info);
    } catch (error) {
      throw new SigningFailure(error);
    }
  }
}

/** Keepsake could not act as the user: no install record, or no token from the OAuth server. Nothing was sent. */
class SigningFailure extends Error {
  constructor(readonly reason: unknown) {
    super(describe(reason));
  }
}

function signingError(failure: SigningFailure): KeepsakeError {
  return new KeepsakeError(
    'CONFLUENCE_REJECTED',
    'Keepsake could not get permission from Confluence to act as you. A site admin can turn off "Act as each user" in Keepsake\'s settings.',
    { reason: failure.message },
  );
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function retryAfterSeconds(headers: RawResponse['headers']): number {
  const raw = headers['retry-after'];
  const seconds = Number(Array.isArray(raw) ? raw[0] : raw);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds) : 1;
}

function backoff(baseMs: number, attempt: number): number {
  return baseMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code ? `${code}: ${error.message}` : error.message;
  }
  return typeof error === 'string' ? error : 'unknown error';
}
