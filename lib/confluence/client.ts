/**
 * The one place Keepsake talks to Confluence. A typed promise wrapper over the platform's
 * transport (transport.ts: one signed call, as the app or as a user), adding what a bare signed
 * call lacks: a timeout, bounded retries with back-off on 429 (honouring Retry-After) and on
 * 5xx or timeouts for idempotent calls, JSON parsing, and errors mapped to Keepsake's codes.
 */
import { KeepsakeError } from '../errors';
import { systemClock, type Clock } from '../time/clock';
import { AS_APP, SigningFailure, type Acting, type ConfluenceTransport, type HttpMethod, type TransportResponse } from './transport';

export { AS_APP, type Acting, type HttpMethod } from './transport';

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
  /** Response headers, names in lower case. */
  headers: Record<string, string | string[] | undefined>;
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

/**
 * What the domain needs of Confluence on one site: calls, answered with the status Confluence
 * gave (errors it must not see, like a 5xx after the last retry, as KeepsakeErrors). The
 * service and the stores depend on this, not on the class below, so they can run on a fake.
 */
export interface ConfluenceClient {
  readonly clientKey: string;
  send(call: ConfluenceCall): Promise<ConfluenceReply>;
}

/** The client over the platform's transport, with the timeouts, retries and error mapping above. */
export class RetryingConfluenceClient implements ConfluenceClient {
  constructor(
    private readonly transport: ConfluenceTransport,
    readonly clientKey: string,
    private readonly policy: CallPolicy,
    private readonly observe: CallObserver = () => undefined,
    /** Waits between attempts and each attempt's deadline. */
    private readonly clock: Clock = systemClock,
  ) {}

  async send(call: ConfluenceCall): Promise<ConfluenceReply> {
    const { attempts, maxRetryWaitSeconds } = this.policy;
    const backoffMs = this.policy.backoffMs ?? 200;
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= attempts;
      let response: TransportResponse;
      try {
        response = await this.once(call);
      } catch (error) {
        if (error instanceof SigningFailure) throw signingError(error);
        this.observe({ status: 'network-error', call });
        if (!last && IDEMPOTENT.has(call.method)) {
          await this.clock.sleep(backoff(backoffMs, attempt));
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
          await this.clock.sleep(wait * 1000);
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
          await this.clock.sleep(backoff(backoffMs, attempt));
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
          "Confluence refused Keepsake's credentials for this site. A site admin may need to reinstall the app.",
        );
      }
      return { status, body: parseBody(response.text), headers: response.headers };
    }
  }

  /**
   * One attempt, with a deadline over all of it: a transport may work before the HTTP request
   * (ACE reads the install record and, acting as a user, asks the OAuth server for a token),
   * neither with a time limit.
   */
  private once(call: ConfluenceCall): Promise<TransportResponse> {
    const answered = new AbortController();
    const deadline = this.clock.sleep(this.policy.timeoutMs + 1000, answered.signal).then((): never => {
      throw new Error(`no answer within ${this.policy.timeoutMs} ms`);
    });
    const request = this.transport.send({
      method: call.method,
      path: call.path,
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
      acting: call.acting ?? AS_APP,
      timeoutMs: this.policy.timeoutMs,
    });
    return Promise.race([request, deadline]).finally(() => answered.abort());
  }
}

function signingError(failure: SigningFailure): KeepsakeError {
  return new KeepsakeError(
    'CONFLUENCE_REJECTED',
    'Keepsake could not get permission from Confluence to act as you. A site admin can turn off "Act as each user" in Keepsake\'s settings.',
    { reason: describe(failure.reason) },
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

function retryAfterSeconds(headers: TransportResponse['headers']): number {
  const raw = headers['retry-after'];
  const seconds = Number(Array.isArray(raw) ? raw[0] : raw);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds) : 1;
}

function backoff(baseMs: number, attempt: number): number {
  return baseMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code ? `${code}: ${error.message}` : error.message;
  }
  return typeof error === 'string' ? error : 'unknown error';
}
