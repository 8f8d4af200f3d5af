/**
 * The install records ACE keeps (baseUrl, sharedSecret, oauthClientId), read on every API
 * call to verify its token. Each is kept here for a moment; a caller that finds a kept one
 * wrong (a reinstall changed the secret) asks again with `fresh`. Only records found are kept,
 * and only so many: tokens naming made-up sites must not fill the memory.
 */
import type { AddOn, ClientInfo } from 'atlassian-connect-express';
import { LruMap } from '../memory/lru-map';

export class ClientInfos {
  private readonly memo = new LruMap<string, { info: ClientInfo; until: number }>(10_000);

  constructor(
    private readonly addon: AddOn,
    private readonly memoMs = 2000,
  ) {}

  async get(clientKey: string, options: { fresh?: boolean } = {}): Promise<ClientInfo | undefined> {
    const memo = this.memo.get(clientKey);
    if (!options.fresh && memo && memo.until > Date.now()) return memo.info;
    const info = ((await this.addon.settings.get('clientInfo', clientKey)) as ClientInfo | null) ?? undefined;
    if (info) this.memo.set(clientKey, { info, until: Date.now() + this.memoMs });
    else this.memo.delete(clientKey);
    return info;
  }

  forget(clientKey: string): void {
    this.memo.delete(clientKey);
  }
}
