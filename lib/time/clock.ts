/**
 * Time, as the code that decides by it sees it: what time it is, and waiting. Injected where
 * time decides behaviour (retry waits, memo expiry, timestamps), so a test can set and move it
 * instead of waiting; production passes the system clock.
 */
import { setTimeout as wait } from 'node:timers/promises';

export interface Clock {
  now(): Date;
  /** Resolves after `ms`; rejects (an AbortError) as soon as `signal` aborts, so a waiter can be let go. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) => wait(ms, undefined, signal ? { signal } : undefined),
};
