// Everything a part of the emulator may need, handed to each router. Host pages
// (emulator/host/) get the same object: the site, the settings, and the AP.request path.
// There is one per site (emulator/sites.ts); the parts every site shares are the same objects.
import type { Logger } from 'pino';
import type { ApRequestTickets } from './auth/ap-request-tickets';
import type { InstallKeys } from './auth/install-keys';
import type { Faults } from './faults';
import type { RequestLog } from './request-log';
import type { EmulatorSettings } from './settings';
import type { Site } from './site';
import type { EmulatorSites } from './sites';

/** The first site's id: the one `startEmulator()` starts with, which lives as long as the emulator. */
export const DEFAULT_SITE_ID = 'default';

export interface EmulatorUrls {
  /** http://localhost:PORT, the origin. */
  baseUrl: string;
  /** http://localhost:PORT/wiki, the Confluence baseUrl sent to apps. */
  siteUrl: string;
  /** http://localhost:PORT/connect-keys, for CONNECT_KEYS_CDN_URL (the first site's, for every site). */
  keysUrl: string;
  /** http://localhost:PORT, the OAuth 2.0 authorization server (POST /oauth2/token; the first site's, for every site). */
  oauthServerUrl: string;
}

export interface EmulatorContext {
  /** This site's id among the emulator's sites ('default' for the first). */
  readonly siteId: string;
  /** Every site of this emulator process (the shared OAuth server looks installs up here). */
  readonly sites: EmulatorSites;
  site: Site;
  /** Current settings; replaced as a whole on change, so read it at call time. */
  settings: EmulatorSettings;
  /** The settings the site started with (the process's, or those given to add it); `reset` returns to these. */
  readonly startupSettings: EmulatorSettings;
  readonly faults: Faults;
  readonly requestLog: RequestLog;
  /** Shared by every site, as Atlassian's one install-key server is. */
  readonly installKeys: InstallKeys;
  readonly apTickets: ApRequestTickets;
  readonly logger: Logger;
  /** Known once the server listens. */
  urls: EmulatorUrls;
}
