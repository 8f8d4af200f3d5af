// Everything a part of the emulator may need, handed to each router. Host pages
// (emulator/host/) get the same object: the site, the settings, and the AP.request path.
import type { Logger } from 'pino';
import type { ApRequestTickets } from './auth/ap-request-tickets';
import type { InstallKeys } from './auth/install-keys';
import type { Faults } from './faults';
import type { RequestLog } from './request-log';
import type { EmulatorSettings } from './settings';
import type { Site } from './site';

export interface EmulatorUrls {
  /** http://localhost:PORT, the origin. */
  baseUrl: string;
  /** http://localhost:PORT/wiki, the Confluence baseUrl sent to apps. */
  siteUrl: string;
  /** http://localhost:PORT/connect-keys, for CONNECT_KEYS_CDN_URL. */
  keysUrl: string;
  /** http://localhost:PORT, the OAuth 2.0 authorization server (POST /oauth2/token). */
  oauthServerUrl: string;
}

export interface EmulatorContext {
  site: Site;
  /** Current settings; replaced as a whole on change, so read it at call time. */
  settings: EmulatorSettings;
  /** The settings the process started with; `reset` returns to these. */
  readonly startupSettings: EmulatorSettings;
  readonly faults: Faults;
  readonly requestLog: RequestLog;
  readonly installKeys: InstallKeys;
  readonly apTickets: ApRequestTickets;
  readonly logger: Logger;
  /** Known once the server listens. */
  urls: EmulatorUrls;
}

export function urlsForPort(port: number): EmulatorUrls {
  const baseUrl = `http://localhost:${port}`;
  return { baseUrl, siteUrl: `${baseUrl}/wiki`, keysUrl: `${baseUrl}/connect-keys`, oauthServerUrl: baseUrl };
}
