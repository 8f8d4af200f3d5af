/**
 * ACE logs with console-style calls and, outside production, prints whole install payloads
 * (shared secret included) as text (docs/platform-facts.md §10). This adapter sends its lines to
 * the structured logger with any secret in them blotted out.
 *
 * ACE also writes straight to the global console: a two-line deprecation notice (ACEJS-115) on
 * every iframe load that carries Confluence's `tz`/`loc` parameters, i.e. all of them. That is
 * ACE talking to its own developers, not news about Keepsake: {@link routeAceConsole} sends it
 * to the log of the Keepsake whose request printed it, at debug, instead of stdout/stderr.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestListener } from 'node:http';
import { inspect } from 'node:util';
import type { Logger } from '../../lib/logger';

const SECRET = /((?:sharedSecret|access_token|assertion|password)['"]?\s*[:=]\s*['"]?)[^'",\s}&]+/gi;

export interface ConsoleLike {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  debug(...args: unknown[]): void;
  log(...args: unknown[]): void;
}

/** ACE's notices about its own deprecated context parameters and asUser (https://ecosystem.atlassian.net/browse/ACEJS-115). */
const ACE_DEPRECATION = /ACEJS-115/;

export function isAceDeprecation(args: unknown[]): boolean {
  return args.some((a) => typeof a === 'string' && ACE_DEPRECATION.test(a));
}

export function aceLogger(logger: Logger): ConsoleLike {
  const line = (args: unknown[]) =>
    args
      .map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 4 })))
      .join(' ')
      .replace(SECRET, '$1[redacted]');
  const child = logger.child({ component: 'ace' });
  return {
    info: (...args) => child.info(line(args)),
    log: (...args) => child.info(line(args)),
    debug: (...args) => child.debug(line(args)),
    // The deprecation notice is ACE's own business (it fires on every iframe load): debug.
    warn: (...args) => (isAceDeprecation(args) ? child.debug(line(args)) : child.warn(line(args))),
    error: (...args) => child.error(line(args)),
  };
}

/** The ACE logger of the Keepsake whose request is running (one process may run several, as tests do). */
const running = new AsyncLocalStorage<ConsoleLike>();
let routing: { original: Console['warn']; wrapper: Console['warn'] } | undefined;
let routed = 0;

/**
 * Runs `listener` (Keepsake's Express app) so that ACE's deprecation notice, which ACE writes
 * with the global console.warn while handling a request, goes to `logger` at debug. Any other
 * console.warn, and one outside Keepsake's requests, is printed as before. `release()` puts
 * console.warn back once no Keepsake in the process routes it.
 */
export function routeAceConsole(listener: RequestListener, logger: Logger): { listener: RequestListener; release(): void } {
  const ace = aceLogger(logger);
  if (routed++ === 0) {
    const original = console.warn;
    const wrapper = (...args: unknown[]) => {
      const current = running.getStore();
      if (current && isAceDeprecation(args)) current.debug(...args);
      else original.apply(console, args);
    };
    routing = { original, wrapper };
    console.warn = wrapper;
  }
  let released = false;
  return {
    listener: (req, res) => running.run(ace, () => listener(req, res)),
    release() {
      if (released) return;
      released = true;
      if (--routed === 0 && routing) {
        // Put back only what is still ours: something that replaced console.warn since keeps its own.
        if (console.warn === routing.wrapper) console.warn = routing.original;
        routing = undefined;
      }
    },
  };
}
