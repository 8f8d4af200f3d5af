// Faults injected into REST calls under /wiki/rest (never the UPM or the control API):
// added latency, a share of 5xx answers, a fixed answer for the next N calls (e.g. 429 with
// Retry-After), a per-app rate limit with Retry-After and X-RateLimit-* headers (headers as in
// https://developer.atlassian.com/cloud/confluence/rate-limiting/), and user properties off.
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { findCaller } from './auth/caller';
import { sendError } from './errors';

export const faultPatchSchema = z.strictObject({
  /** Delay added before every REST call is answered, ms. */
  latencyMs: z.number().int().min(0).max(60_000).optional(),
  /** Share (0..1) of REST calls answered with errorStatus. */
  errorRate: z.number().min(0).max(1).optional(),
  errorStatus: z.number().int().min(500).max(599).optional(),
  /** The next `count` REST calls answer `status` (with Retry-After: retryAfter when given). */
  status: z.number().int().min(400).max(599).optional(),
  retryAfter: z.number().int().min(0).optional(),
  count: z.number().int().min(1).optional(),
  /** With `status`: only calls whose path (from /wiki) starts with this count, and the first `skip` of them pass. */
  pathPrefix: z.string().startsWith('/').optional(),
  skip: z.number().int().min(0).optional(),
  /** More than this many calls per second from one app answer 429; null switches it off. */
  rateLimitPerSecond: z.number().int().min(1).nullable().optional(),
  /** Every user-property call answers 404, as on a site without them. */
  userPropertiesOff: z.boolean().optional(),
  /**
   * The next `count` REST calls with this method are held for `latencyMs` before they are
   * served: a write that lands late, after calls made later (as a slow network delivers it).
   */
  slowNext: z
    .strictObject({
      method: z.enum(['GET', 'POST', 'PUT', 'DELETE']),
      latencyMs: z.number().int().min(1).max(60_000),
      count: z.number().int().min(1).default(1),
    })
    .nullable()
    .optional(),
});

export type FaultPatch = z.infer<typeof faultPatchSchema>;

export interface FaultState {
  latencyMs: number;
  errorRate: number;
  errorStatus: number;
  next: { status: number; retryAfter: number | null; remaining: number; pathPrefix: string | null; skip: number } | null;
  rateLimitPerSecond: number | null;
  userPropertiesOff: boolean;
  slowNext: { method: string; latencyMs: number; remaining: number } | null;
}

function noFaults(): FaultState {
  return { latencyMs: 0, errorRate: 0, errorStatus: 500, next: null, rateLimitPerSecond: null, userPropertiesOff: false, slowNext: null };
}

const USER_PROPERTY_PATH = /^\/wiki\/rest\/api\/user\/[^/]+\/property(\/|$)/;
const RATE_WINDOW_MS = 1000;

export class Faults {
  private state = noFaults();
  /** Per app (or "-" for calls without one): start of the current one-second window and calls in it. */
  private windows = new Map<string, { start: number; count: number }>();

  current(): FaultState {
    return structuredClone(this.state);
  }

  /** Adds to the active faults; fields not given stay as they are. */
  apply(patch: FaultPatch): FaultState {
    const s = this.state;
    if (patch.latencyMs !== undefined) s.latencyMs = patch.latencyMs;
    if (patch.errorRate !== undefined) s.errorRate = patch.errorRate;
    if (patch.errorStatus !== undefined) s.errorStatus = patch.errorStatus;
    if (patch.status !== undefined) {
      s.next = {
        status: patch.status,
        retryAfter: patch.retryAfter ?? null,
        remaining: patch.count ?? 1,
        pathPrefix: patch.pathPrefix ?? null,
        skip: patch.skip ?? 0,
      };
    }
    if (patch.rateLimitPerSecond !== undefined) {
      s.rateLimitPerSecond = patch.rateLimitPerSecond;
      this.windows.clear();
    }
    if (patch.userPropertiesOff !== undefined) s.userPropertiesOff = patch.userPropertiesOff;
    if (patch.slowNext !== undefined) {
      s.slowNext = patch.slowNext && {
        method: patch.slowNext.method,
        latencyMs: patch.slowNext.latencyMs,
        remaining: patch.slowNext.count,
      };
    }
    return this.current();
  }

  clear(): void {
    this.state = noFaults();
    this.windows.clear();
  }

  /** Runs first: delays the call. */
  latency(): RequestHandler {
    return (req, _res, next) => {
      let ms = this.state.latencyMs;
      const slow = this.state.slowNext;
      if (slow && slow.method === req.method) {
        ms += slow.latencyMs;
        if (--slow.remaining === 0) this.state.slowNext = null;
      }
      if (ms > 0) setTimeout(next, ms);
      else next();
    };
  }

  /** Runs after authentication (the rate limit is per app): answers instead of the route when a fault hits. */
  inject(): RequestHandler {
    return (req, res, next) => {
      const s = this.state;
      if (s.rateLimitPerSecond !== null) {
        const appKey = findCaller(res)?.app?.key ?? '-';
        const now = Date.now();
        let window = this.windows.get(appKey);
        if (!window || now - window.start >= RATE_WINDOW_MS) {
          window = { start: now, count: 0 };
          this.windows.set(appKey, window);
        }
        window.count += 1;
        const resetAt = window.start + RATE_WINDOW_MS;
        const remaining = Math.max(0, s.rateLimitPerSecond - window.count);
        res.set({
          'X-RateLimit-Limit': String(s.rateLimitPerSecond),
          'X-RateLimit-Remaining': String(remaining),
          'X-RateLimit-Reset': new Date(resetAt).toISOString(),
          'X-RateLimit-NearLimit': String(remaining < s.rateLimitPerSecond * 0.2),
        });
        if (window.count > s.rateLimitPerSecond) {
          const retryAfter = String(Math.max(1, Math.ceil((resetAt - now) / 1000)));
          sendError(req, res, 429, `Rate limit exceeded: more than ${s.rateLimitPerSecond} calls per second from this app`, {
            'Retry-After': retryAfter,
            'RateLimit-Reason': 'emulator-per-app-rate-limit',
          });
          return;
        }
      }
      const matches = s.next !== null && (s.next.pathPrefix === null || req.originalUrl.startsWith(s.next.pathPrefix));
      if (s.next && matches && s.next.skip > 0) {
        s.next.skip -= 1;
      } else if (s.next && matches && s.next.remaining > 0) {
        const { status, retryAfter } = s.next;
        s.next.remaining -= 1;
        if (s.next.remaining === 0) s.next = null;
        const headers: Record<string, string> = retryAfter !== null ? { 'Retry-After': String(retryAfter) } : {};
        sendError(req, res, status, `Injected fault: this call answers ${status}`, headers);
        return;
      }
      if (s.errorRate > 0 && Math.random() < s.errorRate) {
        sendError(req, res, s.errorStatus, `Injected fault: a share of ${s.errorRate} of calls answers ${s.errorStatus}`);
        return;
      }
      if (s.userPropertiesOff && USER_PROPERTY_PATH.test(req.originalUrl.split('?', 1)[0])) {
        sendError(req, res, 404, 'User properties are not available on this site');
        return;
      }
      next();
    };
  }
}
