// The sites of one emulator process. Each site is a Confluence Cloud site of its own — its own
// port (its own baseUrl, as each real site has its own https://<site>.atlassian.net/wiki), its
// own users, installs, secrets, properties, settings, faults and request log — while the parts
// Atlassian runs once for every site are shared: the install-signing key server (one CDN,
// connect-install-keys.atlassian.com), the OAuth 2.0 authorization server (one for every site;
// the assertion's `tnt` names the site) and the Forge invocation-token keys (one JWKS).
import type { Logger } from 'pino';
import { ApRequestTickets } from './auth/ap-request-tickets';
import type { InstallKeys } from './auth/install-keys';
import { DEFAULT_SITE_ID, type EmulatorContext, type EmulatorUrls } from './emulator-context';
import { HttpError } from './errors';
import { Faults } from './faults';
import { RequestLog } from './request-log';
import { createServerApp, type MountedRouter } from './server';
import { mergeSettings, type EmulatorSettings } from './settings';
import { Site, seedSnapshot, type InstalledApp, type SiteSnapshot } from './site';
import { listenSite, type SiteServer } from './site-server';

/** A site id is a DNS label, as the `<site>` of `<site>.atlassian.net`. */
export const SITE_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export interface AddSiteOptions {
  /** Default: `site-2`, `site-3`, … */
  id?: string;
  /** 0 (the default): a free port. */
  port?: number;
  /** Merged over the settings the emulator started with. */
  settings?: Partial<EmulatorSettings>;
}

/** What the first site alone gets: its state from a state file, and a writer that follows it. */
export interface FirstSiteOptions extends AddSiteOptions {
  snapshot?: SiteSnapshot;
  onChange?: () => void;
}

export interface SharedParts {
  logger: Logger;
  /** One key pair for every site: Atlassian signs every site's installs from one key server. */
  installKeys: InstallKeys;
  startupSettings: EmulatorSettings;
  extraRouters?: (ctx: EmulatorContext) => MountedRouter[];
}

export interface HostedSite {
  id: string;
  context: EmulatorContext;
  port: number;
}

interface Entry extends HostedSite {
  server: SiteServer;
}

export class EmulatorSites {
  private readonly entries = new Map<string, Entry>();
  /** Ids being started, so two adds of one id cannot both succeed. */
  private readonly starting = new Set<string>();
  private generated = 1;

  constructor(private readonly shared: SharedParts) {}

  list(): HostedSite[] {
    return [...this.entries.values()].map(({ id, context, port }) => ({ id, context, port }));
  }

  find(id: string): HostedSite | undefined {
    const entry = this.entries.get(id);
    return entry && { id: entry.id, context: entry.context, port: entry.port };
  }

  /** The site where an app installation holds this oauthClientId (the shared OAuth server asks). */
  findInstallByOauthClientId(oauthClientId: string): { context: EmulatorContext; app: InstalledApp } | undefined {
    for (const { context } of this.entries.values()) {
      const app = context.site.installedAppByOauthClientId(oauthClientId);
      if (app) return { context, app };
    }
    return undefined;
  }

  /**
   * Starts a site seeded like the first one (users, spaces, pages), listening on its own port.
   * 409 for an id in use or a port taken; 400 for a bad id or settings.
   */
  async add(options: FirstSiteOptions = {}): Promise<HostedSite> {
    const id = options.id ?? this.nextId();
    if (!SITE_ID_PATTERN.test(id))
      throw new HttpError(400, `A site id is a DNS label (${SITE_ID_PATTERN.source}), got ${JSON.stringify(id)}`);
    if (this.entries.has(id) || this.starting.has(id)) throw new HttpError(409, `A site with id ${id} already exists`);
    this.starting.add(id);
    try {
      const settings = mergeSettings(this.shared.startupSettings, options.settings ?? {});
      const logger = this.shared.logger.child({ site: id });
      const context: EmulatorContext = {
        siteId: id,
        sites: this,
        site: new Site(options.snapshot ?? seedSnapshot(), options.onChange),
        settings,
        startupSettings: settings,
        faults: new Faults(),
        requestLog: new RequestLog((e) =>
          logger.info({ method: e.method, path: e.path, status: e.status, auth: e.authKind, app: e.appKey ?? undefined }, 'request'),
        ),
        installKeys: this.shared.installKeys,
        apTickets: new ApRequestTickets(),
        logger,
        urls: this.urlsFor(options.port ?? 0),
      };
      const app = createServerApp(context, this.shared.extraRouters?.(context));
      const server = await listenSite(app, options.port ?? 0, logger).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'EADDRINUSE') throw new HttpError(409, `Port ${options.port} is in use`);
        throw err;
      });
      context.urls = this.urlsFor(server.port);
      this.entries.set(id, { id, context, port: server.port, server });
      logger.info({ siteUrl: context.urls.siteUrl }, 'Confluence emulator site listening');
      return { id, context, port: server.port };
    } finally {
      this.starting.delete(id);
    }
  }

  /**
   * Stops a site and forgets it: its port closes, its state is gone. No lifecycle callback is
   * sent to its apps. False for an unknown id; the first site cannot be removed (409).
   * `whenAnswered` lets the site's own control API answer before its connections close.
   */
  async remove(id: string, whenAnswered: Promise<void> = Promise.resolve()): Promise<boolean> {
    if (id === DEFAULT_SITE_ID) throw new HttpError(409, 'The first site lives as long as the emulator; close the emulator instead');
    const entry = this.entries.get(id);
    if (!entry) return false;
    this.entries.delete(id);
    entry.server.stopListening();
    await whenAnswered;
    await entry.server.close();
    return true;
  }

  /** Stops every site, the first one last. */
  async closeAll(): Promise<void> {
    const others = [...this.entries.values()].filter((e) => e.id !== DEFAULT_SITE_ID);
    await Promise.all(others.map((e) => this.remove(e.id)));
    const first = this.entries.get(DEFAULT_SITE_ID);
    this.entries.delete(DEFAULT_SITE_ID);
    await first?.server.close();
  }

  private nextId(): string {
    let id: string;
    do id = `site-${++this.generated}`;
    while (this.entries.has(id) || this.starting.has(id));
    return id;
  }

  /** A site's own addresses; the key server and the OAuth server are the first site's for all. */
  private urlsFor(port: number): EmulatorUrls {
    const baseUrl = `http://localhost:${port}`;
    const own: EmulatorUrls = { baseUrl, siteUrl: `${baseUrl}/wiki`, keysUrl: `${baseUrl}/connect-keys`, oauthServerUrl: baseUrl };
    const first = this.entries.get(DEFAULT_SITE_ID);
    return first ? { ...own, keysUrl: first.context.urls.keysUrl, oauthServerUrl: first.context.urls.oauthServerUrl } : own;
  }
}
