/**
 * Keepsake's composition root: one Express app, the platform adapter (Connect, on ACE:
 * platform/connect/) for the handshake, signing and install records, Keepsake's own tables
 * beside the adapter's in the same database, the services, and the routes. Settings come in
 * already parsed (lib/settings.ts); nothing here reads the environment.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import compression from 'compression';
import express, { type Express } from 'express';
import hbs from 'express-hbs';
import type { Sequelize } from 'sequelize';
import { SiteAdministration } from './lib/admin/site-administration';
import { StorageMoveJobs } from './lib/admin/storage-move-jobs';
import { StorageMoveRunner } from './lib/admin/storage-move-runner';
import { StorageMover } from './lib/admin/storage-mover';
import { ContextTokenVerifier } from './lib/auth/context-token';
import { createChangeFeed } from './lib/database/change-feed';
import { migrate } from './lib/database/migrate';
import { defineModels } from './lib/database/models';
import { AccountReportTable } from './lib/database/repositories/account-report-table';
import { CookieMigrationTable } from './lib/database/repositories/cookie-migration-table';
import { PreferenceCacheTable } from './lib/database/repositories/preference-cache-table';
import { StorageMoveTable } from './lib/database/repositories/storage-move-table';
import { withSchemaLock } from './lib/database/schema-lock';
import { UserLock } from './lib/database/user-lock';
import type { Logger } from './lib/logger';
import { CookieMigration } from './lib/legacy-cookies/cookie-migration';
import { AccountReporting } from './lib/personal-data/account-reporting';
import { DISPLAY_NAME_MAX_AGE_MS, PageAuthors } from './lib/confluence/page-authors';
import { startReportingSchedule } from './lib/personal-data/reporting-schedule';
import { UserData } from './lib/personal-data/user-data';
import { PreferenceCache } from './lib/preferences/preference-cache';
import { PreferenceService } from './lib/preferences/preference-service';
import { dataCipherFor } from './lib/secrets/data-key';
import type { Settings } from './lib/settings';
import { SiteContexts } from './lib/sites/site-context';
import { SiteRegistry } from './lib/sites/site-registry';
import { AppPropertyBucketLedger } from './lib/storage/app-property-bucket-ledger';
import { SiteStorage } from './lib/storage/site-storage';
import { systemClock } from './lib/time/clock';
import { createConnectPlatform, type ConnectPlatform } from './platform/connect/connect-platform';
import { authenticateForgeInvocation } from './platform/forge/forge-invocations';
import { apiRouter } from './routes/api';
import { assetsRouter } from './routes/assets';
import { errorHandler, notFound } from './routes/error-handler';
import { forgeRouter } from './routes/forge';
import { healthRouter } from './routes/health';
import { homeRouter } from './routes/home';
import { iframeFailurePages, iframeRouter } from './routes/iframes';
import { refuseBodiesOnReads } from './routes/request-guards';
import { requestTimeout } from './routes/request-timeout';
import { securityHeaders } from './routes/security-headers';

/** Database connections per instance, and how many of them may hold a user's lock at once. */
const POOL_SIZE = 10;
const LOCK_HOLDERS = POOL_SIZE / 2;
/** App-property bucket locks held at once, each with a connection, by user-lock holders too: 5 + 2 leave 3 for ACE's lookups. */
const BUCKET_LOCK_HOLDERS = 2;

export interface Keepsake {
  app: Express;
  /** ACE's add-on: the dev loop registers it with a host; tests read its store. */
  addon: ConnectPlatform['addon'];
  sequelize: Sequelize;
  /** The sites Keepsake is installed on (tools and tests open stored records with a site's key). */
  sites: SiteRegistry;
  close(): Promise<void>;
}

export async function createKeepsake(settings: Settings & { AC_LOCAL_BASE_URL: string }, logger: Logger): Promise<Keepsake> {
  const production = settings.NODE_ENV === 'production';
  const app = express();
  app.set('env', production ? 'production' : 'development');
  app.disable('x-powered-by');
  // Every dynamic answer is no-store, so an ETag (a hash of each body) would never be used;
  // static files keep theirs (serve-static makes its own).
  app.set('etag', false);
  app.set('trust proxy', true);

  // Security headers on every answer (an iframe page widens them for its site); no body on a GET.
  app.use(securityHeaders());
  // Answers of 1 KB or more are gzipped for clients that ask (Accept-Encoding): below that,
  // the compressed form saves less than it costs. The iframes' HTML, the API's JSON and the
  // assets all qualify; the headers above are set before and kept. The summary every page
  // view's panel asks for (about 250 bytes, never more than 5 KB) never qualifies, and skips
  // the middleware's wrapping of the answer: 8 % of that read's CPU in a profile.
  const compress = compression({ threshold: 1024 });
  app.use((req, res, next) => (req.method === 'GET' && req.path === '/api/preferences' ? next() : compress(req, res, next)));
  app.use(refuseBodiesOnReads);
  // Bodies are parsed before the platform's middleware: without them ACE never answers a `?jwt=` request.
  app.use(express.json({ limit: settings.KEEPSAKE_BODY_LIMIT }));
  app.use(express.urlencoded({ extended: false, limit: settings.KEEPSAKE_BODY_LIMIT }));
  app.use(requestTimeout(settings.KEEPSAKE_REQUEST_TIMEOUT_MS));

  if (!settings.DATABASE_URL) mkdirSync(dirname(settings.SQLITE_PATH), { recursive: true });
  // Secrets in the database (the platform's install records and tokens, site keys, cached
  // documents) are sealed with the data key.
  const cipher = dataCipherFor(settings);
  // Schema set-up takes turns across instances (schema-lock.ts): the platform's store creates
  // its tables as the adapter is made, then Keepsake's migrations run; only then may another
  // instance start.
  const { platform, models } = await withSchemaLock(settings.DATABASE_URL, async () => {
    const platform = await createConnectPlatform(app, { settings, cipher, logger, poolSize: POOL_SIZE });
    try {
      const models = defineModels(platform.sequelize, cipher);
      await migrate(platform.sequelize);
      return { platform, models };
    } catch (error) {
      await platform.close().catch(() => undefined);
      throw error;
    }
  });

  const sequelize = platform.sequelize;

  // The one clock of everything that decides by time (tests of the core pass their own).
  const clock = systemClock;
  const registry = new SiteRegistry(models, undefined, clock);
  const contexts = new SiteContexts(
    platform,
    registry,
    {
      timeoutMs: settings.KEEPSAKE_CONFLUENCE_TIMEOUT_MS,
      attempts: settings.KEEPSAKE_CONFLUENCE_ATTEMPTS,
      maxRetryWaitSeconds: settings.KEEPSAKE_MAX_RETRY_WAIT_SECONDS,
    },
    clock,
  );
  const changeFeed = createChangeFeed(sequelize, settings.DATABASE_URL, logger);
  const cache = new PreferenceCache(models, changeFeed, settings.KEEPSAKE_MEMORY_CACHE_MB * 1024 * 1024, clock);
  const userLock = new UserLock(sequelize, LOCK_HOLDERS, settings.KEEPSAKE_MAX_QUEUED_WRITES);
  const storage = new SiteStorage(
    registry,
    userLock,
    settings.KEEPSAKE_MAX_RECORD_CHARS,
    new AppPropertyBucketLedger(sequelize, models, BUCKET_LOCK_HOLDERS),
  );
  const preferences = new PreferenceService(cache, userLock, storage, settings.KEEPSAKE_CACHE_TTL_SECONDS * 1000, clock);
  // Storage moves run in the background on every instance, one instance per site at a time.
  const moveJobs = new StorageMoveJobs(new StorageMoveTable(models), new PreferenceCacheTable(models), clock);
  const moveRunner = new StorageMoveRunner(
    moveJobs,
    new StorageMover(moveJobs, contexts, registry, preferences, logger),
    logger,
    settings.KEEPSAKE_MOVE_CHECK_SECONDS * 1000,
  );
  moveRunner.start();
  const administration = new SiteAdministration(
    { cache: new PreferenceCacheTable(models), cookieMigrations: new CookieMigrationTable(models) },
    registry,
    storage,
    moveJobs,
    moveRunner,
  );
  const userData = new UserData(
    { cache: new PreferenceCacheTable(models), cookieMigrations: new CookieMigrationTable(models) },
    preferences,
  );
  const pageAuthors = new PageAuthors(DISPLAY_NAME_MAX_AGE_MS, clock, changeFeed);
  const reporting = new AccountReporting(new AccountReportTable(models), userData, pageAuthors, clock);
  const reportingSchedule = startReportingSchedule({
    registry,
    contexts,
    reporting,
    intervalMs: settings.KEEPSAKE_REPORTING_CHECK_SECONDS * 1000,
    logger,
  });

  app.engine('hbs', hbs.express4({ defaultLayout: join(process.cwd(), 'views', 'layout.hbs') }));
  app.set('view engine', 'hbs');
  // ACE reads atlassian-connect.json and config.json from the working directory; the views live beside them.
  app.set('views', join(process.cwd(), 'views'));

  app.use(healthRouter(sequelize));
  app.use(homeRouter());
  app.use(assetsRouter());
  app.use(platform.lifecycleRouter(registry));
  if (settings.KEEPSAKE_FORGE_APP_ID) {
    // Installed as Connect on Forge (docs/forge.md): what Forge itself calls, with its invocation token.
    app.use(
      forgeRouter({
        authenticate: authenticateForgeInvocation({
          appId: settings.KEEPSAKE_FORGE_APP_ID,
          jwksUrl: settings.KEEPSAKE_FORGE_JWKS_URL,
          installRecords: platform.installRecords,
        }),
        daily: async (clientKey) => {
          const expiredUserTokensDropped = await platform.dropExpiredUserTokens(clientKey, new Date());
          const report = await reporting.run(await contexts.forClient(clientKey));
          // A cycle that is not due (or runs elsewhere) did nothing now.
          const ran = report.state === 'done' || report.state === 'paused';
          return { expiredUserTokensDropped, accountsReported: ran ? report.reported : 0, accountsErased: ran ? report.closed : 0 };
        },
      }),
    );
  }
  app.use(
    '/api',
    apiRouter({
      verifier: new ContextTokenVerifier(platform.installRecords, clock),
      contexts,
      preferences,
      cookieMigration: new CookieMigration(models, preferences, storage),
      administration,
      userData,
      reporting,
    }),
  );
  app.use(iframeRouter({ authenticate: platform.authenticatePageLoad, contexts, preferences, administration, reporting, pageAuthors }));
  app.use(notFound);
  app.use(iframeFailurePages({ hostScriptUrl: platform.hostScriptUrl, logger }));
  app.use(errorHandler(logger));

  return {
    app,
    addon: platform.addon,
    sequelize,
    sites: registry,
    async close() {
      await moveRunner.stop();
      await reportingSchedule.stop();
      // The HTTP server has let go of requests whose clients left; their writes may still be queued.
      await userLock.idle();
      await changeFeed.close();
      await registry.close();
      await platform.close();
    },
  };
}
