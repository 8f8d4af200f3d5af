/**
 * The Connect adapter: everything Keepsake needs of Atlassian Connect, built on ACE. It
 * constructs ACE on the app (which serves the descriptor, atlassian-connect.json) with its store
 * sealed by the data key, and hands the composition root Keepsake's platform ports: who the app
 * is, the sites' install records and signed calls to their Confluence; and the Connect-only
 * HTTP parts: the page-load check of the iframes and the lifecycle routes.
 */
import type { Express, RequestHandler, Router } from 'express';
import ace, { type AddOn, type StoreAdapter } from 'atlassian-connect-express';
import type { Sequelize } from 'sequelize';
import type { Logger } from '../../lib/logger';
import type { DataCipher } from '../../lib/secrets/data-cipher';
import type { SealedColumn } from '../../lib/secrets/rotate-data-key';
import type { Settings } from '../../lib/settings';
import type { SitePlatform } from '../../lib/sites/site-context';
import { aceLogger } from './ace-logger';
import { AceTransport } from './ace-transport';
import { aceVerification } from './ace-verification';
import { ENCRYPTED_STORE, EncryptedAceStore, aceSealedColumns } from './encrypted-ace-store';
import { dropExpiredImpersonationTokens } from './impersonation-tokens';
import { AceInstallRecords } from './install-records';
import { lifecycleRouter, type SiteLifecycle } from './lifecycle-routes';
import { pointOAuthServerAt } from './oauth-server';

/** The ports (SitePlatform: identity, install records, transports) and what only Connect has. */
export interface ConnectPlatform extends SitePlatform {
  /** ACE's add-on: the dev loop registers it with a host (`register()`); tests read its store. */
  addon: AddOn;
  /** The database ACE's store opened, its tables made; Keepsake's tables live beside them. */
  sequelize: Sequelize;
  /** Verifies an iframe's page-load JWT (qsh included) and leaves who and where (PageLoad, routes/iframes.ts) in res.locals. */
  authenticatePageLoad: RequestHandler;
  /** Where iframes load all.js from, when it is not Atlassian's CDN. */
  hostScriptUrl: string | undefined;
  lifecycleRouter(sites: SiteLifecycle): Router;
  /** Drops the site's cached OAuth tokens for acting as users that expired before `now`; answers how many. */
  dropExpiredUserTokens(clientKey: string, now: Date): Promise<number>;
  /** Puts back what ACE changed in the process and closes the database. */
  close(): Promise<void>;
}

export interface StoreOptions {
  settings: Settings;
  cipher: DataCipher;
  logger: Logger;
  /** Database connections of this process. */
  poolSize: number;
}

export interface ConnectOptions extends StoreOptions {
  settings: Settings & { AC_LOCAL_BASE_URL: string };
}

/** Constructs ACE on `app` and waits until its store's tables exist (call it under the schema lock). */
export async function createConnectPlatform(
  app: Express,
  { settings, cipher, logger, poolSize }: ConnectOptions,
): Promise<ConnectPlatform> {
  const production = settings.NODE_ENV === 'production';
  const mode = production ? 'production' : 'development';
  const whitelist = [production ? '*.atlassian.net' : '', settings.AC_HOST_WHITELIST ?? ''].filter(Boolean).join(',');
  const listenersBefore = process.listeners('unhandledRejection');
  let aceStore: EncryptedAceStore | undefined;
  // The registry is process-wide; ACE constructs its store synchronously below, with this cipher.
  ace.store.register(
    ENCRYPTED_STORE,
    (aceConsole, opts) => (aceStore = new EncryptedAceStore(aceConsole, opts, cipher)) as unknown as StoreAdapter,
  );
  const addon = ace(
    app,
    {
      config: {
        [mode]: {
          port: String(settings.PORT),
          localBaseUrl: settings.AC_LOCAL_BASE_URL,
          store: { adapter: ENCRYPTED_STORE, ...databaseOptions(settings, poolSize) },
          ...(whitelist ? { whitelist } : {}),
          ...(settings.AC_HOST_SCRIPT_URL ? { hostScriptUrl: settings.AC_HOST_SCRIPT_URL } : {}),
        },
      },
    },
    aceLogger(logger) as unknown as Console,
  );
  // ACE installs a process-wide handler that logs and swallows unhandled rejections; a
  // swallowed error hides bugs, so it is removed and Node's own behaviour stays.
  for (const listener of process.listeners('unhandledRejection')) {
    if (!listenersBefore.includes(listener)) process.off('unhandledRejection', listener);
  }
  try {
    await aceStore!.ready();
  } catch (error) {
    await addon.schema.close().catch(() => undefined);
    throw error;
  }
  const restoreOAuthServer = settings.KEEPSAKE_OAUTH_SERVER_URL ? pointOAuthServerAt(settings.KEEPSAKE_OAUTH_SERVER_URL) : () => undefined;

  const installRecords = new AceInstallRecords(addon);
  const scopes = (addon.descriptor.scopes ?? []).map((s) => s.toUpperCase());
  const configured = (addon.config as AddOn['config'] & { hostScriptUrl?(): string | undefined }).hostScriptUrl?.();
  return {
    addon,
    sequelize: addon.schema,
    identity: {
      key: addon.key,
      canActAsUser: (install) => scopes.includes('ACT_AS_USER') && Boolean(install.oauthClientId),
    },
    installRecords,
    transportFor: (clientKey) => new AceTransport(addon, clientKey, installRecords),
    authenticatePageLoad: aceVerification(addon, logger).authenticate(),
    hostScriptUrl: configured || undefined,
    lifecycleRouter: (sites) => lifecycleRouter(addon, sites, installRecords, logger),
    dropExpiredUserTokens: (clientKey, now) => dropExpiredImpersonationTokens(addon, clientKey, now),
    async close() {
      addon.watcher?.close();
      restoreOAuthServer();
      await addon.schema.close();
    },
  };
}

export interface ConnectStore {
  sequelize: Sequelize;
  /** The columns of ACE's store that are sealed with the data key. */
  sealedColumns: SealedColumn[];
}

/** ACE's store alone, without an app or a descriptor: for tools that work on the database (call it under the schema lock). */
export async function openConnectStore({ settings, cipher, logger, poolSize }: StoreOptions): Promise<ConnectStore> {
  const store = new EncryptedAceStore(aceLogger(logger), databaseOptions(settings, poolSize), cipher);
  await store.ready();
  return { sequelize: store.schema, sealedColumns: aceSealedColumns(store.schema) };
}

/** ACE's sequelize options for Keepsake's database: Postgres when DATABASE_URL is set, else the sqlite file. */
function databaseOptions(settings: Settings, poolSize: number) {
  return settings.DATABASE_URL
    ? { url: settings.DATABASE_URL, logging: false, pool: { max: poolSize } }
    : { dialect: 'sqlite', storage: settings.SQLITE_PATH, logging: false };
}
