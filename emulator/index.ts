// The local Confluence Cloud emulator, in-process: `startEmulator()` serves one site on a
// free port (or the one given) and answers its URLs; `close()` stops it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { ADMIN_CREDENTIALS } from './accounts';
import { ApRequestTickets } from './auth/ap-request-tickets';
import { generateInstallKeys } from './auth/install-keys';
import { type EmulatorContext, urlsForPort } from './emulator-context';
import { Faults } from './faults';
import { RequestLog } from './request-log';
import { createServerApp, type MountedRouter } from './server';
import { DEFAULT_SETTINGS, type EmulatorSettings, mergeSettings } from './settings';
import { Site, seedSnapshot } from './site';
import { StateFileWriter, readStateFile } from './state-file';

export { SEEDED_USERS, ADMIN_CREDENTIALS } from './accounts';
export type { Account } from './accounts';
export type { EmulatorSettings } from './settings';
export { DEFAULT_SETTINGS } from './settings';
export type { EmulatorContext, EmulatorUrls } from './emulator-context';
export type { RequestLogEntry } from './request-log';
export { callAsUser, type ApRequestCall, type ApRequestResult } from './ap-request';
export type { MountedRouter } from './server';

export interface EmulatorOptions {
  /** 0 = a free port (the default, for tests). */
  port?: number;
  /** Keep the site state in this JSON file across restarts. */
  stateFile?: string;
  settings?: Partial<EmulatorSettings>;
  /** pino level; 'silent' by default in-process. */
  logLevel?: string;
  /** More routers to mount (the host pages use this). */
  extraRouters?: (ctx: EmulatorContext) => MountedRouter[];
}

export interface RunningEmulator {
  /** http://localhost:PORT (origin; OAuth token server and connect keys live here). */
  baseUrl: string;
  /** http://localhost:PORT/wiki (the Confluence baseUrl sent to apps). */
  siteUrl: string;
  port: number;
  /** http://localhost:PORT/connect-keys (value for CONNECT_KEYS_CDN_URL). */
  keysUrl: string;
  /** http://localhost:PORT (token endpoint is POST {oauthServerUrl}/oauth2/token). */
  oauthServerUrl: string;
  admin: { username: string; password: string };
  /** http://USER:PASS@localhost:PORT/wiki, what an ACE app puts in config `hosts`. */
  registrationUrl: string;
  /** The live state, for in-process tools such as the host pages. */
  context: EmulatorContext;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  const logger = pino({
    name: 'confluence-emulator',
    level: opts.logLevel ?? 'silent',
    redact: { paths: ['sharedSecret', '*.sharedSecret', 'authorization', '*.authorization', '*.headers.authorization'], censor: '[redacted]' },
  });
  const startupSettings = mergeSettings(DEFAULT_SETTINGS, opts.settings ?? {});

  let writer: StateFileWriter | undefined;
  const initial = (opts.stateFile && readStateFile(opts.stateFile)) || seedSnapshot();
  const site = new Site(initial, () => writer?.schedule());
  if (opts.stateFile) {
    writer = new StateFileWriter(opts.stateFile, () => site.snapshot(), (err) => logger.error({ err }, 'could not write the state file'));
  }

  const ctx: EmulatorContext = {
    site,
    settings: { ...startupSettings },
    startupSettings,
    faults: new Faults(),
    requestLog: new RequestLog((e) => logger.info({ method: e.method, path: e.path, status: e.status, auth: e.authKind, app: e.appKey ?? undefined }, 'request')),
    installKeys: generateInstallKeys(),
    apTickets: new ApRequestTickets(),
    logger,
    urls: urlsForPort(opts.port ?? 0),
  };
  const app = createServerApp(ctx, opts.extraRouters?.(ctx));

  const server = createServer(app);
  await listen(server, opts.port ?? 0, '127.0.0.1');
  const port = (server.address() as AddressInfo).port;
  ctx.urls = urlsForPort(port);
  // `localhost` may resolve to ::1 first; answer there too when the machine has IPv6.
  const servers = [server];
  const server6 = createServer(app);
  try {
    await listen(server6, port, '::1');
    servers.push(server6);
  } catch {
    logger.debug('no IPv6 loopback; listening on 127.0.0.1 only');
  }
  writer?.schedule();
  logger.info({ siteUrl: ctx.urls.siteUrl, stateFile: opts.stateFile }, 'Confluence emulator listening');

  let closing: Promise<void> | undefined;
  return {
    ...ctx.urls,
    port,
    admin: { ...ADMIN_CREDENTIALS },
    registrationUrl: `http://${ADMIN_CREDENTIALS.username}:${ADMIN_CREDENTIALS.password}@localhost:${port}/wiki`,
    context: ctx,
    close() {
      closing ??= (async () => {
        writer?.flush();
        await Promise.all(servers.map(closeServer));
      })();
      return closing;
    },
  };
}
