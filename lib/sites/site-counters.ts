/**
 * The site's running figures (Confluence calls, failed calls, records written back), counted
 * in memory and added to the site's row once a second. Counting each call in the row
 * itself made that row the hottest in the database: every write of every user of a site, on
 * every instance, updated it one to two times. A figure may lag by one flush interval, and
 * what an instance counted in its last interval before a crash is lost (figures, not data).
 */
import type { Models, SiteRow } from '../database/models';

export type Figure = 'confluenceCalls' | 'confluenceErrors' | 'restoredRecords';
type Counts = Partial<Record<Figure, number>>;

export class SiteCounters {
  private pending = new Map<string, Counts>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly models: Models,
    flushEveryMs = 1000,
  ) {
    this.timer = setInterval(() => void this.flush(), flushEveryMs);
    this.timer.unref();
  }

  count(clientKey: string, ...figures: Figure[]): void {
    const counts = this.pending.get(clientKey) ?? {};
    for (const figure of figures) counts[figure] = (counts[figure] ?? 0) + 1;
    this.pending.set(clientKey, counts);
  }

  /** What this instance counted for the site and has not added to its row yet. */
  unflushed(clientKey: string): Counts {
    return { ...this.pending.get(clientKey) };
  }

  /** Adds what was counted to each site's row: one UPDATE per site per interval. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const batch = this.pending;
      this.pending = new Map();
      for (const [clientKey, counts] of batch) {
        const by = Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0)) as Partial<Record<keyof SiteRow, number>>;
        // A failed flush keeps its counts for the next one: figures are not worth failing for.
        await this.models.sites.increment(by, { where: { clientKey } }).catch(() => {
          for (const [figure, n] of Object.entries(counts)) this.count(clientKey, ...Array<Figure>(n).fill(figure as Figure));
        });
      }
    });
    return this.flushing;
  }

  /** The last flush, on shutdown, before the database closes. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
