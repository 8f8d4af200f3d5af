/**
 * The Forge-only parts of manifest.yml: everything a Connect descriptor has no field for.
 * Everything else in manifest.yml (the Connect key, connectModules, the Connect scopes) comes
 * from atlassian-connect.json; `npm run manifest` joins the two (scripts/manifest/generate.ts).
 *
 * Facts and sources: docs/platform-facts.md §6 (Connect on Forge) (manifest schema, checked against
 * @forge/manifest 13.7.0) and docs/forge.md.
 */

/** Forge's spelling of a remote's allowed operations (`remotes[].operations`). */
export type RemoteOperation = 'storage' | 'compute' | 'fetch' | 'other';

/** Forge runtimes the 13.x schema accepts; `app.runtime.name` is required even without functions. */
export type ForgeRuntime = 'nodejs20.x' | 'nodejs22.x' | 'nodejs24.x';

/** `scheduledTrigger[].interval`. */
export type TriggerInterval = 'fiveMinute' | 'hour' | 'day' | 'week';

/** `connectToForgeMigration[].willMigrateToForgeBeforeEOS`. */
export type MigrationCommitment = 'YES' | 'NO' | 'UNDECIDED';

/** A periodic job: a `modules.endpoint` on Keepsake's remote and the `scheduledTrigger` that calls it. */
export interface ScheduledJob {
  /** The endpoint module's key (`^[a-zA-Z0-9_-]+$`, unique among all module keys). */
  endpointKey: string;
  /** The path on the remote Forge POSTs to, with a Forge Invocation Token. */
  routePath: string;
  /** The trigger module's key. */
  triggerKey: string;
  interval: TriggerInterval;
  /** Forge sends an app system token (`x-forge-oauth-system`) with each call. */
  appSystemToken: boolean;
}

export interface ForgeTemplate {
  /**
   * `app.id`, the Forge app's ARI. `forge register` creates the app and prints its id; the
   * production id goes here once (and in KEEPSAKE_FORGE_APP_ID on the server). Until then
   * this is the placeholder Atlassian's own converter writes: no deploy accepts it.
   */
  appId: string;
  runtime: ForgeRuntime;
  remote: {
    /** `remotes[].key` and `app.connect.remote` (at most 23 characters). */
    key: string;
    /**
     * Keepsake's public URL: the descriptor's `baseUrl` in production (AC_LOCAL_BASE_URL).
     * The manifest has no per-environment baseUrl (its map form is per data-residency
     * region), so the dev loops render a copy with another URL (renderManifest()).
     */
    baseUrl: string;
    operations: RemoteOperation[];
    /** Keepsake stores end-user data (preferences, cached records): `storage.inScopeEUD`. */
    storesEndUserData: boolean;
  };
  /**
   * OAuth scopes the remote needs beyond the descriptor's Connect scopes, for calls made with
   * the Forge tokens Forge hands the remote (`x-forge-oauth-system` / `x-forge-oauth-user`).
   */
  remoteScopes: string[];
  migration: {
    key: string;
    /** Shown to site admins by Atlassian's Connect end-of-support messaging; must be https. */
    migrationGuideUrl: string;
    willMigrateToForgeBeforeEOS: MigrationCommitment;
  };
  scheduledJobs: ScheduledJob[];
}

export const forgeTemplate: ForgeTemplate = {
  appId: 'ari:cloud:ecosystem::app/00000000-0000-0000-0000-000000000000',
  runtime: 'nodejs22.x',
  remote: {
    key: 'keepsake',
    baseUrl: 'https://keepsake.example.com',
    operations: ['storage', 'compute'],
    storesEndUserData: true,
  },
  remoteScopes: [
    // User properties, where Keepsake keeps each user's records.
    'read:user.property:confluence',
    'write:user.property:confluence',
    // App properties, the fallback store on sites where user properties do not work.
    'read:app-data:confluence',
    'write:app-data:confluence',
    // The tokens themselves: without these Forge mints neither header for the remote.
    'read:app-system-token',
    'read:app-user-token',
  ],
  migration: {
    key: 'keepsake-forge-migration',
    migrationGuideUrl: 'https://keepsake.example.com/forge-migration',
    // Keepsake moves to Connect on Forge; whether its iframes become Forge UI (fully Forge,
    // no connectModules) before Connect's end of support is not decided.
    willMigrateToForgeBeforeEOS: 'UNDECIDED',
  },
  scheduledJobs: [
    {
      endpointKey: 'keepsake-daily',
      routePath: '/forge/scheduled/daily',
      triggerKey: 'keepsake-daily-trigger',
      // A site's daily upkeep (routes/forge.ts): today the OAuth tokens that expired; the
      // personal-data reporting cycle joins it, run only when one is due.
      interval: 'day',
      appSystemToken: true,
    },
  ],
};
