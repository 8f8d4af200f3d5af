/**
 * What a site admin can see and change: the site's settings, the storage backend (and moving
 * the data when it changes), and the figures of the stats page.
 */
import { Op, fn, col } from 'sequelize';
import type { Models } from '../database/models';
import { KeepsakeError } from '../errors';
import type { PreferenceService } from '../preferences/preference-service';
import type { SiteContext } from '../sites/site-context';
import type { SiteRegistry, StorageMove } from '../sites/site-registry';
import type { SiteSettings } from '../sites/site-settings';
import type { Backend } from '../storage/record-store';
import type { SiteStorage } from '../storage/site-storage';

export interface StorageStatus {
  mode: SiteSettings['mode'];
  /** What `auto` found on this site, once it looked. */
  detectedBackend: Backend | null;
  /** Where the site's data lives. */
  activeBackend: Backend | null;
  /** A move between backends that has not finished (it resumes on the next save of the settings or a retry). */
  move: StorageMove | null;
}

export interface SiteStats {
  usersWithPreferences: number;
  storage: StorageStatus;
  migrations: { users: number; cookiesMigrated: number; cookiesRejected: number; rejectedByCode: Record<string, number> };
  confluence: { calls: number; errors: number };
}

export class SiteAdministration {
  constructor(
    private readonly models: Models,
    private readonly registry: SiteRegistry,
    private readonly storage: SiteStorage,
    private readonly preferences: PreferenceService,
  ) {}

  status(ctx: SiteContext): StorageStatus {
    const { site } = ctx;
    return {
      mode: site.settings.mode,
      detectedBackend: site.detectedBackend ?? null,
      activeBackend: site.activeBackend ?? null,
      move: site.storageMove ?? null,
    };
  }

  /** Saves the settings; when they change where data belongs, moves every user's data there. */
  async updateSettings(ctx: SiteContext, settings: SiteSettings, adminAccountId: string): Promise<StorageStatus> {
    await this.registry.saveSettings(ctx.site.clientKey, settings);
    ctx.site.settings = settings;
    await this.moveStorage(ctx, adminAccountId);
    return this.status(ctx);
  }

  /** Moves each user still on the other backend. Each user moves whole; a failure stops and can be retried. */
  async moveStorage(ctx: SiteContext, adminAccountId: string): Promise<void> {
    const { clientKey } = ctx.site;
    const to = await this.storage.target(ctx, adminAccountId);
    const pending = await this.accountsNotOn(clientKey, to);
    if (pending.length === 0) {
      if (ctx.site.activeBackend !== to || ctx.site.storageMove) await this.registry.setActiveBackend(clientKey, to);
      ctx.site.activeBackend = to;
      delete ctx.site.storageMove;
      return;
    }
    const from = pending[0].backend;
    let moved = 0;
    for (const { accountId } of pending) {
      try {
        await this.preferences.move(ctx, accountId, to);
        moved++;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        const move: StorageMove = { from, to, error: reason };
        await this.registry.setStorageMove(clientKey, move);
        ctx.site.storageMove = move;
        throw new KeepsakeError(
          error instanceof KeepsakeError ? error.code : 'INTERNAL',
          `Moved ${moved} of ${pending.length} users to ${to} before this failed: ${reason} Save the settings again to continue; nothing is lost meanwhile.`,
          { moved, remaining: pending.length - moved },
          error instanceof KeepsakeError ? error.retryAfter : undefined,
        );
      }
    }
    await this.registry.setActiveBackend(clientKey, to);
    ctx.site.activeBackend = to;
    delete ctx.site.storageMove;
  }

  async stats(ctx: SiteContext): Promise<SiteStats> {
    const { clientKey } = ctx.site;
    const usersWithPreferences = await this.models.cache.count({ where: { clientKey, document: { [Op.ne]: null } } });
    const rows = (await this.models.cookieMigrations.findAll({
      where: { clientKey },
      attributes: ['outcome', 'code', [fn('COUNT', fn('DISTINCT', col('accountId'))), 'users'], [fn('COUNT', col('id')), 'cookies']],
      group: ['outcome', 'code'],
      raw: true,
    })) as unknown as { outcome: string; code: string | null; users: number | string; cookies: number | string }[];
    const migratedUsers = await this.models.cookieMigrations.count({
      where: { clientKey, outcome: { [Op.in]: ['migrated', 'partial'] } },
      distinct: true,
      col: 'accountId',
    });
    const rejectedByCode: Record<string, number> = {};
    let cookiesMigrated = 0;
    let cookiesRejected = 0;
    for (const row of rows) {
      const cookies = Number(row.cookies);
      if (row.outcome === 'migrated' || row.outcome === 'partial') cookiesMigrated += cookies;
      if (row.code && row.code !== 'UNKNOWN_COOKIE' && row.outcome !== 'migrated') {
        if (row.outcome === 'rejected') cookiesRejected += cookies;
        rejectedByCode[row.code] = (rejectedByCode[row.code] ?? 0) + cookies;
      }
    }
    return {
      usersWithPreferences,
      storage: this.status(ctx),
      migrations: { users: migratedUsers, cookiesMigrated, cookiesRejected, rejectedByCode },
      confluence: { calls: ctx.site.confluenceCalls, errors: ctx.site.confluenceErrors },
    };
  }

  private async accountsNotOn(clientKey: string, backend: Backend): Promise<{ accountId: string; backend: Backend }[]> {
    const rows = await this.models.cache.findAll({
      where: { clientKey, backend: { [Op.ne]: backend } },
      attributes: ['accountId', 'backend'],
      raw: true,
    });
    return rows as unknown as { accountId: string; backend: Backend }[];
  }
}
