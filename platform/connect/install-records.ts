/**
 * The install records ACE keeps (baseUrl, sharedSecret, oauthClientId), read on every API
 * call to verify its token. Each is kept here for a moment; a caller that finds a kept one
 * wrong (a reinstall changed the secret) asks again with `fresh`. Only records found are kept,
 * and only so many: tokens naming made-up sites must not fill the memory.
 */
import type { AddOn, ClientInfo } from 'atlassian-connect-express';
import { LruMap } from '../../lib/memory/lru-map';
import type { InstallRecords } from '../../lib/sites/install-records';
import { systemClock, type Clock } from '../../lib/time/clock';

export class AceInstallRecords implements InstallRecords {
  private readonly memo = new LruMap<string, { info: ClientInfo; until: number }>(10_000);

  constructor(
    private readonly addon: AddOn,
    private readonly memoMs = 2000,
    private readonly clock: Clock = systemClock,
  ) {}

  async get(clientKey: string, options: { fresh?: boolean } = {}): Promise<ClientInfo | undefined> {
    const memo = this.memo.get(clientKey);
    if (!options.fresh && memo && memo.until > this.clock.now().getTime()) return memo.info;
    const info = (await this.addon.settings.get<ClientInfo | null>('clientInfo', clientKey)) ?? undefined;
    if (info) this.memo.set(clientKey, { info, until: this.clock.now().getTime() + this.memoMs });
    else this.memo.delete(clientKey);
    return info;
  }

  /**
   * ACE's store ties a Forge installation to the site when the `installed` event carries its
   * id (a Connect-on-Forge install; ACE's saveInstallation), and looks it up here.
   */
  async clientKeyOf(installationId: string): Promise<string | undefined> {
    const store = this.addon.settings as unknown as { getClientSettingsForForgeInstallation(id: string): Promise<ClientInfo | null> };
    return (await store.getClientSettingsForForgeInstallation(installationId))?.clientKey ?? undefined;
  }

  /** After an install or uninstall: the next read goes to the store. */
  forget(clientKey: string): void {
    this.memo.delete(clientKey);
  }
}
