/**
 * The sites Keepsake is installed on, as Keepsake sees them: installed or not, the site's
 * secret key (seals and hashed user keys), the admin's settings, and which storage backend
 * holds the data. Rows are read on every request, so each instance keeps them for a moment
 * (`memoMs`); a change made on another instance shows here within that time.
 */
import { randomBytes } from 'node:crypto';
import type { Models, SiteRow } from '../database/models';
import { SiteTable } from '../database/repositories/site-table';
import { KeepsakeError } from '../errors';
import type { Backend } from '../storage/record-store';
import { systemClock, type Clock } from '../time/clock';
import { SiteCounters } from './site-counters';
import { completeSettings, type SiteSettings } from './site-settings';

/** Read-only all the way down (plain data: objects of primitives). */
type Frozen<T> = { readonly [K in keyof T]: T[K] extends object ? Frozen<T[K]> : T[K] };

/**
 * A site as read at one moment. Concurrent requests share the same value (the memo), so it is
 * read-only: a change goes through SiteRegistry, which answers the site as it is afterwards.
 */
export interface Site {
  readonly clientKey: string;
  readonly installed: boolean;
  readonly siteKey: Buffer;
  readonly settings: Frozen<SiteSettings>;
  readonly detectedBackend?: Backend;
  /** Where the site's data lives now (unset until the first write or detection); a storage move changes it when it finishes (lib/admin/storage-mover.ts). */
  readonly activeBackend?: Backend;
  readonly confluenceCalls: number;
  readonly confluenceErrors: number;
  /** Records found not to be the acknowledged copy (conflicts, tampering) and written back. */
  readonly restoredRecords: number;
}

export class SiteRegistry {
  private readonly memo = new Map<string, { site: Site; until: number }>();
  private readonly counters: SiteCounters;
  private readonly sites: SiteTable;

  constructor(
    models: Models,
    private readonly memoMs = 2000,
    private readonly clock: Clock = systemClock,
  ) {
    this.sites = new SiteTable(models);
    this.counters = new SiteCounters(models);
  }

  async markInstalled(clientKey: string): Promise<void> {
    await this.sites.markInstalled(clientKey, () => randomBytes(32).toString('base64'));
    this.memo.delete(clientKey);
  }

  async markUninstalled(clientKey: string): Promise<void> {
    await this.sites.markUninstalled(clientKey);
    this.memo.delete(clientKey);
  }

  /** The client keys of the sites Keepsake is installed on now. */
  installedClientKeys(): Promise<string[]> {
    return this.sites.installedClientKeys();
  }

  async get(clientKey: string): Promise<Site | undefined> {
    const memo = this.memo.get(clientKey);
    if (memo && memo.until > this.clock.now().getTime()) return memo.site;
    const row = await this.sites.find(clientKey);
    if (!row) return undefined;
    const stored = toSite(row);
    // With what this instance counted and has not flushed yet.
    const unflushed = this.counters.unflushed(clientKey);
    const site: Site = {
      ...stored,
      confluenceCalls: stored.confluenceCalls + (unflushed.confluenceCalls ?? 0),
      confluenceErrors: stored.confluenceErrors + (unflushed.confluenceErrors ?? 0),
      restoredRecords: stored.restoredRecords + (unflushed.restoredRecords ?? 0),
    };
    this.memo.set(clientKey, { site, until: this.clock.now().getTime() + this.memoMs });
    return site;
  }

  /** Saves the admin's settings; answers the site with them. */
  async saveSettings(clientKey: string, settings: SiteSettings): Promise<Site> {
    return this.update(clientKey, { settings });
  }

  /** The backend detection decided for the site, read from the table (not the memo). */
  async decidedBackend(clientKey: string): Promise<Backend | undefined> {
    return ((await this.sites.detectedBackend(clientKey)) as Backend | null | undefined) ?? undefined;
  }

  /** Records detection's answer unless one is recorded already; answers the one that stands. */
  async decideBackend(clientKey: string, backend: Backend): Promise<Backend> {
    await this.sites.recordDetectedBackend(clientKey, backend);
    this.memo.delete(clientKey);
    return (await this.decidedBackend(clientKey)) ?? backend;
  }

  /** Records where the site's data lives now; answers the site with it. */
  async setActiveBackend(clientKey: string, backend: Backend): Promise<Site> {
    return this.update(clientKey, { activeBackend: backend });
  }

  /** Counts one call to Confluence (in memory: SiteCounters). */
  countCall(clientKey: string, failed: boolean): void {
    if (failed) this.counters.count(clientKey, 'confluenceCalls', 'confluenceErrors');
    else this.counters.count(clientKey, 'confluenceCalls');
  }

  /** Counts a record replaced by the acknowledged copy. */
  countRestore(clientKey: string): void {
    this.counters.count(clientKey, 'restoredRecords');
  }

  /** Adds the figures counted so far to the sites' rows (on shutdown, before the database closes). */
  close(): Promise<void> {
    return this.counters.close();
  }

  /** Writes `fields` and answers the site read afresh (a new value: the one handed out before stays as it was). */
  private async update(clientKey: string, fields: Partial<SiteRow>): Promise<Site> {
    await this.sites.update(clientKey, fields);
    this.memo.delete(clientKey);
    const site = await this.get(clientKey);
    if (!site)
      throw new KeepsakeError(
        'SITE_NOT_INSTALLED',
        'Keepsake is not installed on this site. A site admin can install it from the Manage apps page.',
      );
    return site;
  }
}

function toSite(row: SiteRow): Site {
  return {
    clientKey: row.clientKey,
    installed: row.status === 'installed',
    siteKey: Buffer.from(row.siteKey, 'base64'),
    settings: completeSettings(row.settings),
    ...(row.detectedBackend ? { detectedBackend: row.detectedBackend as Backend } : {}),
    ...(row.activeBackend ? { activeBackend: row.activeBackend as Backend } : {}),
    confluenceCalls: Number(row.confluenceCalls),
    confluenceErrors: Number(row.confluenceErrors),
    restoredRecords: Number(row.restoredRecords ?? 0),
  };
}
