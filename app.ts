/**
 * Keepsake's composition root: one Express app with ACE for the Connect handshake and
 * signing, Keepsake's own tables beside ACE's in the same database, the services, and the
 * routes. Settings come in already parsed (lib/settings.ts); nothing here reads the environment.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import express, { type Express } from 'express';
import hbs from 'express-hbs';
import ace, { type AddOn } from 'atlassian-connect-express';
import type { Sequelize } from 'sequelize';
import { aceLogger } from './lib/ace-logger';
import { SiteAdministration } from './lib/admin/site-administration';
import { ContextTokenVerifier } from './lib/auth/context-token';
import { pointOAuthServerAt } from './lib/confluence/oauth-server';
import { createChangeFeed } from './lib/database/change-feed';
import { migrate } from './lib/database/migrate';
import { defineModels } from './lib/database/models';
import { UserLock } from './lib/database/user-lock';
import type { Logger } from './lib/logger';
import { CookieMigration } from './lib/migration/cookie-migration';
import { PreferenceCache } from './lib/preferences/preference-cache';
import { PreferenceService } from './lib/preferences/preference-service';
import type { Settings } from './lib/settings';
import { ClientInfos } from './lib/sites/client-infos';
import { SiteContexts } from './lib/sites/site-context';
import { SiteRegistry } from './lib/sites/site-registry';
import { SiteStorage } from './lib/storage/site-storage';
import { apiRouter } from './routes/api';
import { assetsRouter } from './routes/assets';
import { errorHandler, notFound } from './routes/error-handler';
import { healthRouter } from './routes/health';
import { iframeRouter } from './routes/iframes';
import { lifecycleRouter } from './routes/lifecycle';
import { requestTimeout } from './routes/request-timeout';

/** Database connections per instance, and how many of them may hold a user's lock at once. */
const POOL_SIZE = 10;
const LOCK_HOLDERS = POOL_SIZE / 2;

export interface Keepsake {
  app: Express;
  addon: AddOn;
  sequelize: Sequelize;
  close(): Promise<void>;
}

export async function createKeepsake(settings: Settings & { AC_LOCAL_BASE_URL: string }, logger: Logger): Promise<Keepsake> {
  const production = settings.NODE_ENV === 'production';
  const app = express();
  app.set('env', production ? 'production' : 'development');
  app.disable('x-powered-by');
  app.set('trust proxy', true);

  // Bodies are parsed before ACE's middleware: without them a `?jwt=` request never answers.
  app.use(express.json({ limit: settings.KEEPSAKE_BODY_LIMIT }));
  app.use(express.urlencoded({ extended: false, limit: settings.KEEPSAKE_BODY_LIMIT }));
  app.use(requestTimeout(settings.KEEPSAKE_REQUEST_TIMEOUT_MS));

  if (!settings.DATABASE_URL) mkdirSync(dirname(settings.SQLITE_PATH), { recursive: true });
  const store = settings.DATABASE_URL
    ? { adapter: 'sequelize', url: settings.DATABASE_URL, logging: false, pool: { max: POOL_SIZE } }
    : { adapter: 'sequelize', dialect: 'sqlite', storage: settings.SQLITE_PATH, logging: false };
  const mode = production ? 'production' : 'development';
  const whitelist = [production ? '*.atlassian.net' : '', settings.AC_HOST_WHITELIST ?? ''].filter(Boolean).join(',');
  const listenersBefore = process.listeners('unhandledRejection');
  const addon = ace(
    app,
    {
      config: {
        [mode]: {
          port: String(settings.PORT),
          localBaseUrl: settings.AC_LOCAL_BASE_URL,
          store,
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
  const restoreOAuthServer = settings.KEEPSAKE_OAUTH_SERVER_URL ? pointOAuthServerAt(settings.KEEPSAKE_OAUTH_SERVER_URL) : () => undefined;

  const sequelize = addon.schema;
  const models = defineModels(sequelize);
  await migrate(sequelize);

  const registry = new SiteRegistry(models);
  const clientInfos = new ClientInfos(addon);
  const contexts = new SiteContexts(addon, registry, clientInfos, {
    timeoutMs: settings.KEEPSAKE_CONFLUENCE_TIMEOUT_MS,
    attempts: settings.KEEPSAKE_CONFLUENCE_ATTEMPTS,
    maxRetryWaitSeconds: settings.KEEPSAKE_MAX_RETRY_WAIT_SECONDS,
  });
  const changeFeed = createChangeFeed(sequelize, settings.DATABASE_URL, logger);
  const cache = new PreferenceCache(models, changeFeed);
  const storage = new SiteStorage(registry, settings.KEEPSAKE_MAX_RECORD_CHARS);
  const preferences = new PreferenceService(cache, new UserLock(sequelize, LOCK_HOLDERS), storage, settings.KEEPSAKE_CACHE_TTL_SECONDS * 1000);
  const administration = new SiteAdministration(models, registry, storage, preferences);

  app.engine('hbs', hbs.express4({ defaultLayout: join(process.cwd(), 'views', 'layout.hbs') }));
  app.set('view engine', 'hbs');
  // ACE reads atlassian-connect.json and config.json from the working directory; the views live beside them.
  app.set('views', join(process.cwd(), 'views'));

  app.use(healthRouter(sequelize));
  app.use(assetsRouter());
  app.use(lifecycleRouter(addon, registry, clientInfos, logger));
  app.use(
    '/api',
    apiRouter({
      verifier: new ContextTokenVerifier(clientInfos),
      contexts,
      preferences,
      cookieMigration: new CookieMigration(models, preferences, storage),
      administration,
    }),
  );
  app.use(iframeRouter({ addon, contexts, preferences, administration, logger }));
  app.use(notFound);
  app.use(errorHandler(logger));

  return {
    app,
    addon,
    sequelize,
    async close() {
      addon.watcher?.close();
      restoreOAuthServer();
      await changeFeed.close();
      await sequelize.close();
    },
  };
}
