/**
 * What a site admin can see and change: the site's settings, the storage backend (and asking
 * for the data to move when it changes), and the figures of the stats page.
 */
import type { CookieMigrationTable } from '../database/repositories/cookie-migration-table';
import type { PreferenceCacheTable } from '../database/repositories/preference-cache-table';
import type { SiteContext } from '../sites/site-context';
import type { SiteRegistry } from '../sites/site-registry';
import type { SiteSettings } from '../sites/site-settings';
import type { SiteStats, StorageStatus } from '../api/answers';
import type { SiteStorage } from '../storage/site-storage';
import type { StorageMoveJobs } from './storage-move-jobs';
import type { MoveKicker } from './storage-move-runner';

export type { StorageStatus };

export class SiteAdministration {
  constructor(
    private readonly tables: { cache: PreferenceCacheTable; cookieMigrations: CookieMigrationTable },
    private readonly registry: SiteRegistry,
    private readonly storage: SiteStorage,
    private readonly moves: StorageMoveJobs,
    private readonly runner: MoveKicker,
  ) {}

  async status(ctx: SiteContext): Promise<StorageStatus> {
    const { site } = ctx;
    return {
      mode: site.settings.mode,
      detectedBackend: site.detectedBackend ?? null,
      activeBackend: site.activeBackend ?? null,
      move: await this.moves.status(site.clientKey),
    };
  }

  /** Saves the settings; when they change where data belongs, starts moving every user's data there. */
  async updateSettings(ctx: SiteContext, settings: SiteSettings, adminAccountId: string): Promise<StorageStatus> {
    ctx.site = await this.registry.saveSettings(ctx.site.clientKey, settings);
    return this.moveStorage(ctx, adminAccountId);
  }

  /**
   * Starts (or retries) moving each user still on another backend to the one the settings
   * choose, in the background (storage-mover.ts): the answer comes at once, with the move's
   * figures. `adminAccountId` is the account `auto` probes, when it has not decided yet.
   */
  async moveStorage(ctx: SiteContext, adminAccountId: string): Promise<StorageStatus> {
    const { clientKey } = ctx.site;
    const to = await this.storage.target(ctx, adminAccountId);
    await this.moves.retry(clientKey);
    if (await this.moves.request(clientKey, ctx.site.activeBackend ?? null, to)) {
      this.runner.kick(clientKey);
    } else if (ctx.site.activeBackend !== to) {
      ctx.site = await this.registry.setActiveBackend(clientKey, to);
    }
    return this.status(ctx);
  }

  async stats(ctx: SiteContext): Promise<SiteStats> {
    const { clientKey } = ctx.site;
    const usersWithPreferences = await this.tables.cache.countWithPreferences(clientKey);
    const rows = await this.tables.cookieMigrations.outcomeCounts(clientKey);
    const migratedUsers = await this.tables.cookieMigrations.migratedUsers(clientKey);
    const rejectedByCode: Record<string, number> = {};
    let cookiesMigrated = 0;
    let cookiesRejected = 0;
    for (const row of rows) {
      const { cookies } = row;
      if (row.outcome === 'migrated' || row.outcome === 'partial') cookiesMigrated += cookies;
      if (row.code && row.code !== 'UNKNOWN_COOKIE' && row.outcome !== 'migrated') {
        if (row.outcome === 'rejected') cookiesRejected += cookies;
        rejectedByCode[row.code] = (rejectedByCode[row.code] ?? 0) + cookies;
      }
    }
    return {
      usersWithPreferences,
      storage: await this.status(ctx),
      migrations: { users: migratedUsers, cookiesMigrated, cookiesRejected, rejectedByCode },
      confluence: { calls: ctx.site.confluenceCalls, errors: ctx.site.confluenceErrors },
      integrity: { restoredRecords: ctx.site.restoredRecords },
    };
  }
}
