/**
 * A clock that moves only when a test moves it: `now()` stays put, and sleepers wake when
 * `advance` passes their time. `settle` runs a promise to its end, moving time to each next
 * sleeper whenever nothing else is left to run, so waits cost no real time — for work that
 * waits on nothing real (no I/O), which would otherwise be overtaken by the clock.
 */
import type { Clock } from '../../../lib/time/clock';

interface Sleeper {
  until: number;
  wake(): void;
}

export class ManualClock implements Clock {
  /** Every wait asked for, in ms, in order. */
  readonly waits: number[] = [];
  private sleepers: Sleeper[] = [];
  private at: number;

  constructor(start = Date.parse('2026-03-01T09:00:00.000Z')) {
    this.at = start;
  }

  now(): Date {
    return new Date(this.at);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.waits.push(ms);
    return new Promise((resolve, reject) => {
      const sleeper: Sleeper = { until: this.at + ms, wake: resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(new DOMException('The operation was aborted', 'AbortError'));
      });
    });
  }

  /** Moves time on by `ms`, waking every sleeper whose time has come. */
  advance(ms: number): void {
    this.at += ms;
    const due = this.sleepers.filter((s) => s.until <= this.at);
    this.sleepers = this.sleepers.filter((s) => s.until > this.at);
    for (const sleeper of due) sleeper.wake();
  }

  /** Awaits `work`, moving time to the next sleeper each time the work is idle and waiting. */
  async settle<T>(work: Promise<T>): Promise<T> {
    let done = false;
    const finished = work.finally(() => (done = true));
    finished.catch(() => undefined);
    while (!done) {
      await new Promise((resolve) => setImmediate(resolve));
      if (done) break;
      const next = Math.min(...this.sleepers.map((s) => s.until));
      if (Number.isFinite(next)) this.advance(next - this.at);
    }
    return finished;
  }
}
