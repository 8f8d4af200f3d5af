/**
 * ACE logs with console-style calls and, outside production, prints whole install payloads
 * (shared secret included) as text (confluence-facts.md §6). This adapter sends its lines to
 * the structured logger with any secret in them blotted out.
 */
import { inspect } from 'node:util';
import type { Logger } from './logger';

const SECRET = /((?:sharedSecret|access_token|assertion|password)['"]?\s*[:=]\s*['"]?)[^'",\s}&]+/gi;

export interface ConsoleLike {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  debug(...args: unknown[]): void;
  log(...args: unknown[]): void;
}

export function aceLogger(logger: Logger): ConsoleLike {
  const line = (args: unknown[]) => args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 4 }))).join(' ').replace(SECRET, '$1[redacted]');
  const child = logger.child({ component: 'ace' });
  return {
    info: (...args) => child.info(line(args)),
    log: (...args) => child.info(line(args)),
    debug: (...args) => child.debug(line(args)),
    warn: (...args) => child.warn(line(args)),
    error: (...args) => child.error(line(args)),
  };
}
