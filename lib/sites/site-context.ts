/**
 * Everything a request needs to work on one site: the site's record, the Confluence client
 * for it (over the platform's transport, counting calls into the site's figures), and whether
 * acting as a user is possible.
 */
import { RetryingConfluenceClient, type CallPolicy, type ConfluenceClient } from '../confluence/client';
import type { ConfluenceTransport } from '../confluence/transport';
import { KeepsakeError } from '../errors';
import { systemClock, type Clock } from '../time/clock';
import type { AppIdentity } from './app-identity';
import type { InstallRecords } from './install-records';
import type { Site, SiteRegistry } from './site-registry';

export interface SiteContext {
  /** The site as this request knows it: replaced by the value SiteRegistry answers when the request changes the site (a Site itself is never written into). */
  site: Site;
  appKey: string;
  confluence: ConfluenceClient;
  /** The platform lets the app act as a user on this site (AppIdentity.canActAsUser). */
  canActAsUser: boolean;
}

/** What SiteContexts needs of the platform adapter. */
export interface SitePlatform {
  identity: AppIdentity;
  installRecords: InstallRecords;
  transportFor(clientKey: string): ConfluenceTransport;
}

export class SiteContexts {
  constructor(
    private readonly platform: SitePlatform,
    private readonly registry: SiteRegistry,
    private readonly policy: CallPolicy,
    private readonly clock: Clock = systemClock,
  ) {}

  async forClient(clientKey: string): Promise<SiteContext> {
    const [site, install] = await Promise.all([this.registry.get(clientKey), this.platform.installRecords.get(clientKey)]);
    if (!site || !site.installed || !install) {
      throw new KeepsakeError(
        'SITE_NOT_INSTALLED',
        'Keepsake is not installed on this site. A site admin can install it from the Manage apps page.',
      );
    }
    return {
      site,
      appKey: this.platform.identity.key,
      confluence: new RetryingConfluenceClient(
        this.platform.transportFor(clientKey),
        clientKey,
        this.policy,
        ({ status }) => this.registry.countCall(clientKey, status === 'network-error' || status >= 500 || status === 429),
        this.clock,
      ),
      canActAsUser: this.platform.identity.canActAsUser(install),
    };
  }
}
