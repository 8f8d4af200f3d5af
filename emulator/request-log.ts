// A log of the calls the site received (REST, UPM, OAuth token), for tests that count calls.
import type { RequestHandler, Response } from 'express';
import { findCaller, type AuthKind } from './auth/caller';

export interface RequestLogEntry {
  time: string;
  method: string;
  path: string;
  query: string;
  authKind: AuthKind;
  appKey: string | null;
  accountId: string | null;
  status: number;
  durationMs: number;
}

export interface RequestLogFilter {
  appKey?: string;
  authKind?: string;
  method?: string;
  pathPrefix?: string;
}

/**
 * Records the call in another site's log than the one whose address received it: the shared
 * OAuth server answers on the first site's address for every site.
 */
export function logInto(res: Response, log: RequestLog): void {
  res.locals.requestLog = log;
}

/** Oldest entries are dropped past this many, so a long dev session cannot grow without bound. */
const MAX_ENTRIES = 10_000;

export class RequestLog {
  private entries: RequestLogEntry[] = [];

  /** `onEntry` sees every entry as it is recorded (the CLI logs them). */
  constructor(private readonly onEntry: (entry: RequestLogEntry) => void = () => undefined) {}

  list(filter: RequestLogFilter = {}): RequestLogEntry[] {
    return this.entries.filter(
      (e) =>
        (filter.appKey === undefined || e.appKey === filter.appKey) &&
        (filter.authKind === undefined || e.authKind === filter.authKind) &&
        (filter.method === undefined || e.method === filter.method.toUpperCase()) &&
        (filter.pathPrefix === undefined || e.path.startsWith(filter.pathPrefix)),
    );
  }

  clear(): void {
    this.entries = [];
  }

  record(): RequestHandler {
    return (req, res, next) => {
      const started = process.hrtime.bigint();
      const [path, query = ''] = req.originalUrl.split('?', 2);
      res.on('finish', () => {
        const caller = findCaller(res);
        const entry: RequestLogEntry = {
          time: new Date().toISOString(),
          method: req.method,
          path,
          query: query.replace(/(^|&)jwt=[^&]*/g, '$1jwt=…'),
          authKind: caller?.kind ?? 'none',
          appKey: caller?.app?.key ?? null,
          accountId: caller?.accountId ?? null,
          status: res.statusCode,
          durationMs: Number(process.hrtime.bigint() - started) / 1e6,
        };
        const log = res.locals.requestLog instanceof RequestLog ? res.locals.requestLog : this;
        log.add(entry);
      });
      next();
    };
  }

  private add(entry: RequestLogEntry): void {
    this.entries.push(entry);
    this.onEntry(entry);
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
  }
}
