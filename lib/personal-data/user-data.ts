/**
 * A user's own rights over what Keepsake holds about them: a copy of all of it, and its
 * erasure everywhere (docs/privacy.md). Keepsake holds, per site: the preference record in
 * Confluence (user or app properties), a cached copy in its database, and the log of the
 * legacy cookies it moved. The public card is part of the record.
 */
import type { CookieMigrationTable } from '../database/repositories/cookie-migration-table';
import type { PreferenceCacheTable } from '../database/repositories/preference-cache-table';
import type { PreferenceService } from '../preferences/preference-service';
import type { SiteContext } from '../sites/site-context';
import type { StoredDocument } from '../storage/document-store';
import type { Backend } from '../storage/record-store';

export interface UserDataExport {
  exportedAt: string;
  accountId: string;
  /** Everything stored for the user: view mode, tracking choices, bookmarks, watches, the card. */
  preferences: StoredDocument | null;
  /** Where each thing is kept. */
  storage: {
    confluence: { backend: Backend; records: string[]; encrypted: true; changedOutsideKeepsake: string[] };
    database: { cachedCopy: boolean; cookieMigrations: number };
  };
  /** The legacy browser values Keepsake moved or refused, one entry per cookie and outcome. */
  cookieMigrations: { cookie: string; outcome: string; code: string | null; at: string }[];
}

export class UserData {
  constructor(
    private readonly tables: { cache: PreferenceCacheTable; cookieMigrations: CookieMigrationTable },
    private readonly preferences: PreferenceService,
  ) {}

  /** Every account Keepsake holds anything about on the site, with when it last learnt about it. */
  async accounts(clientKey: string): Promise<{ accountId: string; updatedAt: Date }[]> {
    const [cached, migrated] = await Promise.all([
      this.tables.cache.fetchedAt(clientKey),
      this.tables.cookieMigrations.createdAt(clientKey),
    ]);
    const latest = new Map<string, Date>();
    const see = (accountId: string, at: Date) => {
      const known = latest.get(accountId);
      if (!known || known < at) latest.set(accountId, at);
    };
    for (const row of cached) see(row.accountId, row.fetchedAt);
    for (const row of migrated) see(row.accountId, row.createdAt);
    return [...latest].map(([accountId, updatedAt]) => ({ accountId, updatedAt })).sort((a, b) => (a.accountId < b.accountId ? -1 : 1));
  }

  async export(ctx: SiteContext, accountId: string, now: Date = new Date()): Promise<UserDataExport> {
    const { clientKey } = ctx.site;
    const [stored, cached, migrations] = await Promise.all([
      this.preferences.stored(ctx, accountId),
      this.tables.cache.has(clientKey, accountId),
      this.tables.cookieMigrations.ofUser(clientKey, accountId),
    ]);
    return {
      exportedAt: now.toISOString(),
      accountId,
      preferences: stored.document ?? null,
      storage: {
        confluence: { backend: stored.backend, records: stored.records, encrypted: true, changedOutsideKeepsake: stored.tampered },
        database: { cachedCopy: cached, cookieMigrations: migrations.length },
      },
      cookieMigrations: migrations.map(({ cookie, outcome, code, createdAt }) => ({
        cookie,
        outcome,
        code: code || null,
        at: createdAt.toISOString(),
      })),
    };
  }

  /**
   * Erases everything Keepsake holds about the user on this site; answers what went. `by` the
   * owner (their own request) or the app (an account Atlassian reported closed).
   */
  async erase(ctx: SiteContext, accountId: string, by: 'owner' | 'app'): Promise<{ confluenceRecords: number; cookieMigrations: number }> {
    const { records } = await this.preferences.erase(ctx, accountId, by === 'owner' ? accountId : undefined);
    const cookieMigrations = await this.tables.cookieMigrations.removeUser(ctx.site.clientKey, accountId);
    return { confluenceRecords: records, cookieMigrations };
  }
}
