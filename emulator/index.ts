// The local Confluence Cloud emulator, in-process: `startEmulator()` serves one site on a
// free port (or the one given) and answers its URLs; `addSite()` starts more sites in the same
// process, each on its own port (emulator/sites.ts); `close()` stops them all.
import pino from 'pino';
import { ADMIN_CREDENTIALS } from './accounts';
import { generateInstallKeys } from './auth/install-keys';
import { DEFAULT_SITE_ID, type EmulatorContext } from './emulator-context';
import type { MountedRouter } from './server';
import { DEFAULT_SETTINGS, type EmulatorSettings, mergeSettings } from './settings';
import { seedSnapshot } from './site';
import { type AddSiteOptions, EmulatorSites, type HostedSite } from './sites';
import { StateFileWriter, readStateFile } from './state-file';

export { SEEDED_USERS, ADMIN_CREDENTIALS } from './accounts';
export type { Account } from './accounts';
export type { EmulatorSettings } from './settings';
export { DEFAULT_SETTINGS } from './settings';
export type { EmulatorContext, EmulatorUrls } from './emulator-context';
export type { RequestLogEntry } from './request-log';
export { callAsUser, type ApRequestCall, type ApRequestResult } from './ap-request';
export type { MountedRouter } from './server';
export type { AddSiteOptions } from './sites';
export { DEFAULT_SITE_ID } from './emulator-context';

export interface EmulatorOptions {
  /** 0 = a free port (the default, for tests). */
  port?: number;
  /** Keep the first site's state in this JSON file across restarts (added sites live in memory). */
  stateFile?: string;
  settings?: Partial<EmulatorSettings>;
  /** pino level; 'silent' by default in-process. */
  logLevel?: string;
  /** More routers to mount, on every site. */
  extraRouters?: (ctx: EmulatorContext) => MountedRouter[];
}

/** One site of the emulator, as tests use it. */
export interface RunningSite {
  /** 'default' for the first site; `site-2`, … or the id given for added ones. */
  id: string;
  /** http://localhost:PORT (origin; the site's control API lives under /_emulator). */
  baseUrl: string;
  /** http://localhost:PORT/wiki (the Confluence baseUrl sent to apps). */
  siteUrl: string;
  port: number;
  /** The first site's http://localhost:PORT/connect-keys (value for CONNECT_KEYS_CDN_URL): one key server for every site. */
  keysUrl: string;
  /** The first site's http://localhost:PORT (token endpoint is POST {oauthServerUrl}/oauth2/token): one OAuth server for every site. */
  oauthServerUrl: string;
  admin: { username: string; password: string };
  /** http://USER:PASS@localhost:PORT/wiki, what an ACE app puts in config `hosts`. */
  registrationUrl: string;
  /** The live state, for in-process tools such as the host pages. */
  context: EmulatorContext;
  /** An added site: removes it (its port closes, its state is gone). The emulator: stops every site. */
  close(): Promise<void>;
}

/** The emulator: its first site, and the means to run more sites beside it. */
export interface RunningEmulator extends RunningSite {
  /** Starts another site (own port, users seeded as the first, no apps) and answers its handle. */
  addSite(options?: AddSiteOptions): Promise<RunningSite>;
  /** Every running site, the first one included. */
  sites(): RunningSite[];
  site(id: string): RunningSite | undefined;
}

function siteHandle(sites: EmulatorSites, hosted: HostedSite): RunningSite {
  const { port, context } = hosted;
  return {
    id: hosted.id,
    ...context.urls,
    port,
    admin: { ...ADMIN_CREDENTIALS },
    registrationUrl: `http://${ADMIN_CREDENTIALS.username}:${ADMIN_CREDENTIALS.password}@localhost:${port}/wiki`,
    context,
    async close() {
      await sites.remove(hosted.id);
    },
  };
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  const logger = pino({
    name: 'confluence-emulator',
    level: opts.logLevel ?? 'silent',
    redact: {
      paths: ['sharedSecret', '*.sharedSecret', 'authorization', '*.authorization', '*.headers.authorization'],
      censor: '[redacted]',
    },
  });
  const startupSettings = mergeSettings(DEFAULT_SETTINGS, opts.settings ?? {});
  const sites = new EmulatorSites({ logger, installKeys: generateInstallKeys(), startupSettings, extraRouters: opts.extraRouters });

  let writer: StateFileWriter | undefined;
  const first = await sites.add({
    id: DEFAULT_SITE_ID,
    port: opts.port ?? 0,
    snapshot: (opts.stateFile && readStateFile(opts.stateFile)) || seedSnapshot(),
    onChange: () => writer?.schedule(),
  });
  if (opts.stateFile) {
    writer = new StateFileWriter(
      opts.stateFile,
      () => first.context.site.snapshot(),
      (err) => logger.error({ err }, 'could not write the state file'),
    );
  }
  writer?.schedule();
  logger.info({ siteUrl: first.context.urls.siteUrl, stateFile: opts.stateFile }, 'Confluence emulator listening');

  let closing: Promise<void> | undefined;
  return {
    ...siteHandle(sites, first),
    async addSite(options: AddSiteOptions = {}) {
      return siteHandle(sites, await sites.add(options));
    },
    sites() {
      return sites.list().map((hosted) => siteHandle(sites, hosted));
    },
    site(id: string) {
      const hosted = sites.find(id);
      return hosted && siteHandle(sites, hosted);
    },
    close() {
      closing ??= (async () => {
        writer?.flush();
        await sites.closeAll();
      })();
      return closing;
    },
  };
}
