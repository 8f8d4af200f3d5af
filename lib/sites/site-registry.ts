/**
 * The sites Keepsake is installed on, as Keepsake sees them: installed or not, the site's
 * secret key (seals and hashed user keys), the admin's settings, and which storage backend
 * holds the data. Rows are read on every request, so each instance keeps them for a moment
 * (`memoMs`); a change made on another instance shows here within that time.
 */
import { randomBytes } from 'node:crypto';
import type { Models, SiteRow } from '../database/models';
import type { Backend } from '../storage/record-store';
import { completeSettings, type SiteSettings } from './site-settings';

export interface StorageMove {
  from: Backend;
  to: Backend;
  /** Why the last attempt stopped, when it did. */
  error?: string;
}

export interface Site {
  clientKey: string;
  installed: boolean;
  siteKey: Buffer;
  settings: SiteSettings;
  detectedBackend?: Backend;
  /** Where the site's data lives now (unset until the first write or detection). */
  activeBackend?: Backend;
  storageMove?: StorageMove;
  confluenceCalls: number;
  confluenceErrors: number;
}

export class SiteRegistry {
  private readonly memo = new Map<string, { site: Site; until: number }>();

  constructor(
    private readonly models: Models,
    private readonly memoMs = 2000,
  ) {}

  async markInstalled(clientKey: string): Promise<void> {
    const existing = await this.models.sites.findByPk(clientKey);
    if (existing) {
      await existing.update({ status: 'installed' });
    } else {
      await this.models.sites.create({ clientKey, status: 'installed', siteKey: randomBytes(32).toString('base64') });
    }
    this.memo.delete(clientKey);
  }

  async markUninstalled(clientKey: string): Promise<void> {
    await this.update(clientKey, { status: 'uninstalled' });
  }

  async get(clientKey: string): Promise<Site | undefined> {
    const memo = this.memo.get(clientKey);
    if (memo && memo.until > Date.now()) return memo.site;
    const row = await this.models.sites.findByPk(clientKey);
    if (!row) return undefined;
    const site = toSite(row.get());
    this.memo.set(clientKey, { site, until: Date.now() + this.memoMs });
    return site;
  }

  async saveSettings(clientKey: string, settings: SiteSettings): Promise<void> {
    await this.update(clientKey, { settings });
  }

  async setDetectedBackend(clientKey: string, backend: Backend): Promise<void> {
    await this.update(clientKey, { detectedBackend: backend });
  }

  async setActiveBackend(clientKey: string, backend: Backend, storageMove?: StorageMove): Promise<void> {
    await this.update(clientKey, { activeBackend: backend, storageMove: storageMove ?? null });
  }

  async setStorageMove(clientKey: string, storageMove: StorageMove | null): Promise<void> {
    await this.update(clientKey, { storageMove });
  }

  /** Counts one call to Confluence; a failed count is not worth failing the request for. */
  countCall(clientKey: string, failed: boolean): void {
    const fields = failed ? ['confluenceCalls', 'confluenceErrors'] : ['confluenceCalls'];
    void this.models.sites.increment(fields as (keyof SiteRow)[], { where: { clientKey } }).catch(() => undefined);
  }

  private async update(clientKey: string, fields: Partial<SiteRow>): Promise<void> {
    await this.models.sites.update(fields, { where: { clientKey } });
    this.memo.delete(clientKey);
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
    ...(row.storageMove ? { storageMove: row.storageMove as StorageMove } : {}),
    confluenceCalls: Number(row.confluenceCalls),
    confluenceErrors: Number(row.confluenceErrors),
  };
}
