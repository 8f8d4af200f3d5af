/**
 * `npm run dev`: Keepsake on the Confluence emulator, offline, in one command.
 *   1. builds the iframes' front end;
 *   2. starts the emulator in this process, its site kept in .data/emulator.json
 *      (`npm run dev -- --reset` starts from the seed);
 *   3. starts Keepsake as a child process on a sqlite file, its iframes loading the emulator's
 *      Connect JS, its install keys and OAuth tokens from the emulator, and installs it through
 *      ACE's own `addon.register()` on the emulator's UPM API;
 *   4. prints the URL to open and the users to sign in as;
 *   5. restarts Keepsake when the server's sources change, rebuilds the front end when its do.
 * Ctrl-C stops Keepsake (which uninstalls itself, as ACE does in development), then the emulator.
 *
 * With --forge, Keepsake is installed the Connect-on-Forge way instead (emulator-forge-install.ts):
 * it starts without registering, with a fixed development app id and the emulator's JWKS, and
 * manifest.yml rendered with its local URL as the remote goes to the emulator's
 * `POST /_emulator/forge/installations` (an update when the state file kept the installation;
 * a restart sends it again only when the rendered manifest changed). Ctrl-C leaves it installed.
 * Options: --reset, --no-watch, --forge. Settings: PORT (Keepsake, 3000), EMULATOR_PORT (4000),
 * EMULATOR_STATE_FILE, EMULATOR_LOG_LEVEL, LOG_LEVEL, KEEPSAKE_REGISTER_TIMEOUT_MS.
 * docs/development.md tells the whole story.
 */
import { rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { SEEDED_USERS, startEmulator } from '../emulator';
import { buildFrontend } from './build-frontend';
import { loadDevSettings } from './dev/dev-settings';
import {
  connectInstallMessage,
  DEV_FORGE_APP_ID,
  EmulatorForgeInstaller,
  forgeInstallMessage,
  installedVia,
  keepsakeAppKey,
  triggerCommands,
  type ForgeInstall,
} from './dev/emulator-forge-install';
import { keepsakeEnvironment } from './dev/keepsake-environment';
import { KeepsakeSupervisor } from './dev/keepsake-supervisor';
import { reloadOnChange } from './dev/reload-on-change';
import type { SourceWatcher } from './dev/source-watcher';
import { stopOnSignals } from './dev/stop-on-signals';

const root = join(__dirname, '..');

function log(line: string): void {
  process.stdout.write(`[dev] ${line}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      reset: { type: 'boolean', default: false },
      'no-watch': { type: 'boolean', default: false },
      forge: { type: 'boolean', default: false },
    },
  });
  const settings = loadDevSettings(root);
  const forge = values.forge;
  const appKey = keepsakeAppKey();

  log('building the front end…');
  await buildFrontend();

  if (values.reset) rmSync(settings.emulatorStateFile, { force: true });
  const emulator = await startEmulator({
    port: settings.emulatorPort,
    stateFile: settings.emulatorStateFile,
    logLevel: process.env.EMULATOR_LOG_LEVEL ?? 'warn',
  }).catch((error: Error & { code?: string }) => {
    throw new Error(
      error.code === 'EADDRINUSE'
        ? `Port ${settings.emulatorPort} is taken; set EMULATOR_PORT to a free one.`
        : `The emulator did not start: ${error.message}`,
    );
  });
  log(
    `Confluence emulator at ${emulator.siteUrl} (site kept in ${relative(root, settings.emulatorStateFile) || settings.emulatorStateFile}).`,
  );

  // One app key installs once per site: a saved install of the other kind is named, not replaced.
  const before = await installedVia(emulator.baseUrl, appKey);
  if (forge && before === 'connect') return fail(emulator, connectInstallMessage(appKey, emulator.baseUrl));
  if (!forge && before === 'forge') return fail(emulator, forgeInstallMessage(appKey, emulator.baseUrl));

  const installer = forge ? new EmulatorForgeInstaller(emulator.baseUrl) : undefined;
  const keepsake = new KeepsakeSupervisor({
    root,
    args: forge ? ['--no-register'] : ['--host', emulator.registrationUrl],
    env: keepsakeEnvironment(
      {
        PORT: String(settings.port),
        AC_HOST_SCRIPT_URL: `${emulator.baseUrl}/atlassian-connect/all.js`,
        CONNECT_KEYS_CDN_URL: emulator.keysUrl,
        KEEPSAKE_OAUTH_SERVER_URL: emulator.oauthServerUrl,
        ...(forge ? { KEEPSAKE_FORGE_APP_ID: DEV_FORGE_APP_ID, KEEPSAKE_FORGE_JWKS_URL: `${emulator.baseUrl}/_emulator/forge/jwks` } : {}),
      },
      ['AC_LOCAL_BASE_URL'],
    ), // the install's baseUrl is localhost here
    log,
    // Nothing is reinstalled on a restart unless the rendered manifest changed.
    afterRestart: installer
      ? async (url) => {
          const installed = await installer.install(url);
          if (installed.outcome !== 'unchanged')
            log(`the manifest changed: Keepsake's Forge installation updated (${describeOutcome(installed)}).`);
        }
      : undefined,
  });
  let watcher: SourceWatcher | undefined;
  const stop = stopOnSignals(async () => {
    watcher?.close();
    log('stopping Keepsake, then the emulator…');
    await keepsake.stop();
    await emulator.close();
    log(forge ? 'stopped (Keepsake stays installed the Forge way in the emulated site).' : 'stopped.');
  });

  log(
    forge ? 'starting Keepsake, then installing it the Forge way (Connect on Forge)…' : 'starting Keepsake and installing it through ACE…',
  );
  let url: string;
  let installed: ForgeInstall | undefined;
  try {
    url = await keepsake.start();
  } catch (error) {
    const message = (error as Error).message;
    log(
      `Keepsake did not start: ${message}${/EADDRINUSE/.test(message) ? `\nPort ${settings.port} is taken; set PORT to a free one.` : ''}`,
    );
    await stop(1);
    return;
  }
  if (installer) {
    try {
      installed = await installer.install(url);
      log(`Keepsake installed the Forge way: ${describeOutcome(installed)}.`);
    } catch (error) {
      log(`Keepsake is running but not installed: ${(error as Error).message}`);
      await stop(1);
      return;
    }
  }
  if (!values['no-watch']) watcher = reloadOnChange(root, keepsake, log);
  printWelcome({
    keepsakeUrl: url,
    emulatorUrl: emulator.baseUrl,
    pagePath: await firstPage(emulator.baseUrl),
    keepsakePid: keepsake.pid,
    watching: watcher !== undefined,
    forge: installed && { ...installed, appKey },
  });
}

/** Ends the run before Keepsake started: the emulator closes (its site kept as it was). */
async function fail(emulator: { close(): Promise<void> }, message: string): Promise<void> {
  log(message);
  await emulator.close();
  process.exit(1);
}

function describeOutcome(installed: ForgeInstall): string {
  const how = {
    installed: 'a new installation',
    minor: 'the kept installation, updated (minor version)',
    major: 'the kept installation, upgraded (major version)',
    unchanged: 'unchanged',
  }[installed.outcome];
  return `${how}, ${installed.installationId}`;
}

/** A page to open: the site's first (the seed's "Engineering home" unless the state file says otherwise). */
async function firstPage(baseUrl: string): Promise<string> {
  const pages = (await (await fetch(`${baseUrl}/_emulator/pages`)).json()) as { id: string; spaceKey: string }[];
  return pages.length ? `/wiki/spaces/${pages[0].spaceKey}/pages/${pages[0].id}` : '/wiki/';
}

interface Welcome {
  keepsakeUrl: string;
  emulatorUrl: string;
  pagePath: string;
  keepsakePid: number | undefined;
  watching: boolean;
  /** With --forge: the installation, and the app key its triggers run under. */
  forge?: ForgeInstall & { appKey: string };
}

function printWelcome({ keepsakeUrl, emulatorUrl, pagePath, keepsakePid, watching, forge }: Welcome): void {
  // Account ids (712020:uuid) and page paths need no escaping in a query; the link stays readable.
  const signIn = (accountId: string, next: string) => `${emulatorUrl}/_emulator/login?accountId=${accountId}&next=${next}`;
  const users = Object.entries(SEEDED_USERS).map(
    ([name, user]) =>
      `    ${name.padEnd(6)} ${user.displayName.padEnd(13)} ${user.siteAdmin ? 'site admin' : 'user      '}  ${signIn(user.accountId, pagePath)}`,
  );
  const forgeLines = forge
    ? [
        `  Installed the Forge way (Connect on Forge): app ${forge.appId}, installation ${forge.installationId}`,
        '  Run the daily scheduled trigger now:',
        ...triggerCommands(emulatorUrl, forge.appKey).map((line) => `    ${line}`),
        '',
      ]
    : [];
  process.stdout.write(
    [
      '',
      `Keepsake dev is ready: Keepsake ${keepsakeUrl} is installed in the emulated Confluence ${emulatorUrl}/wiki`,
      '',
      `  Open ${signIn(SEEDED_USERS.alice.accountId, pagePath)}`,
      '  (a page, signed in as Alice; the Keepsake panel is under the page)',
      '',
      '  Sign in as (each link opens the same page; the switcher on every page changes user):',
      ...users,
      `  Manage apps (sign in as admin): ${emulatorUrl}/wiki/plugins/servlet/upm`,
      '',
      ...forgeLines,
      watching
        ? '  Watching server.ts, app.ts, lib/, routes/, platform/ (restart) and frontend/ (rebuild). Ctrl-C stops.'
        : '  Not watching the sources (--no-watch). Ctrl-C stops.',
      `  Processes: dev ${process.pid}, keepsake ${keepsakePid}`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  log(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
