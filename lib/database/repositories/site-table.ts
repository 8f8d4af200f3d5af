/**
 * The rows of keepsake_sites (one per site Keepsake was ever installed on): its status, key,
 * settings, backends and figures, as stored. SiteRegistry (lib/sites/site-registry.ts) turns a
 * row into a Site.
 */
import type { Models, SiteRow } from '../models';

export class SiteTable {
  constructor(private readonly models: Pick<Models, 'sites'>) {}

  async find(clientKey: string): Promise<SiteRow | undefined> {
    return (await this.models.sites.findByPk(clientKey))?.get();
  }

  /** Marks the site installed; a site new to Keepsake gets a row with `newSiteKey()`'s key. */
  async markInstalled(clientKey: string, newSiteKey: () => string): Promise<void> {
    const existing = await this.models.sites.findByPk(clientKey);
    if (existing) await existing.update({ status: 'installed' });
    else await this.models.sites.create({ clientKey, status: 'installed', siteKey: newSiteKey() });
  }

  async markUninstalled(clientKey: string): Promise<void> {
    await this.models.sites.update({ status: 'uninstalled' }, { where: { clientKey } });
  }

  async installedClientKeys(): Promise<string[]> {
    const rows = await this.models.sites.findAll({ where: { status: 'installed' }, attributes: ['clientKey'] });
    return rows.map((r) => r.get().clientKey);
  }

  /** The backend detection recorded (null when none), or undefined when the site has no row. */
  async detectedBackend(clientKey: string): Promise<string | null | undefined> {
    const row = await this.models.sites.findByPk(clientKey, { attributes: ['detectedBackend'] });
    return row?.get().detectedBackend;
  }

  /** Records the detected backend unless one is recorded already. */
  async recordDetectedBackend(clientKey: string, backend: string): Promise<void> {
    await this.models.sites.update({ detectedBackend: backend }, { where: { clientKey, detectedBackend: null } });
  }

  async update(clientKey: string, fields: Partial<Omit<SiteRow, 'clientKey'>>): Promise<void> {
    await this.models.sites.update(fields, { where: { clientKey } });
  }
}
