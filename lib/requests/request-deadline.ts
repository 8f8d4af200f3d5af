/**
 * What a request promised its client about writes. Once a request has been answered with an
 * error (it timed out, or its client went away), nothing may be written for it afterwards —
 * otherwise a request told "failed" would change stored data later. And once a write for it
 * has begun changing Confluence, the request is not answered until that write ends (success
 * or failure), so the answer is true. The request timeout and the service meet here.
 *
 * The deadline travels with the request through AsyncLocalStorage: it is set by the request
 * timeout (routes/request-timeout.ts) around everything after it, and read by the service
 * where a write begins, without threading it through every route and method in between.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export class RequestDeadline {
  private state: 'open' | 'writing' | 'expired' = 'open';

  /** A write is about to change Confluence: false when the request was already answered (nothing may be written then). */
  beginWrite(): boolean {
    if (this.state === 'expired') return false;
    this.state = 'writing';
    return true;
  }

  /** The request timed out or its client left: true when it may be answered now, false while a write for it is under way. */
  expire(): boolean {
    if (this.state === 'writing') return false;
    this.state = 'expired';
    return true;
  }
}

const current = new AsyncLocalStorage<RequestDeadline>();

export function runWithDeadline<T>(deadline: RequestDeadline, fn: () => T): T {
  return current.run(deadline, fn);
}

/** The deadline of the request this code runs for; undefined outside a request (background jobs). */
export function currentDeadline(): RequestDeadline | undefined {
  return current.getStore();
}
