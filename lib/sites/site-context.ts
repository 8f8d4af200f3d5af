/**
 * Everything a request needs to work on one site: the site's record, the Confluence client
 * for it (counting calls into the site's figures), and whether acting as a user is possible.
 */
import type { AddOn } from 'atlassian-connect-express';
import { ConfluenceClient, type CallPolicy } from '../confluence/client';
import { KeepsakeError } from '../errors';
import type { ClientInfos } from './client-infos';
import type { Site, SiteRegistry } from './site-registry';

export interface SiteContext {
  site: Site;
  appKey: string;
  confluence: ConfluenceClient;
  /** The descriptor asks for ACT_AS_USER and the install brought an OAuth client id. */
  canActAsUser: boolean;
}

export class SiteContexts {
  constructor(
    private readonly addon: AddOn,
    private readonly registry: SiteRegistry,
    private readonly clientInfos: ClientInfos,
    private readonly policy: CallPolicy,
  ) {}

  async forClient(clientKey: string): Promise<SiteContext> {
    const [site, info] = await Promise.all([this.registry.get(clientKey), this.clientInfos.get(clientKey)]);
    if (!site || !site.installed || !info) {
      throw new KeepsakeError('SITE_NOT_INSTALLED', 'Keepsake is not installed on this site. A site admin can install it from the Manage apps page.');
    }
    const scopes = (this.addon.descriptor.scopes ?? []).map((s) => s.toUpperCase());
    return {
      site,
      appKey: this.addon.key,
      confluence: new ConfluenceClient(this.addon, clientKey, this.policy, ({ status }) =>
        this.registry.countCall(clientKey, status === 'network-error' || status >= 500 || status === 429),
      ),
      canActAsUser: scopes.includes('ACT_AS_USER') && Boolean(info.oauthClientId),
    };
  }
}
