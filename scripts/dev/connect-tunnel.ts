/**
 * `npm run dev:tunnel -- --connect`: the descriptor-URL install (Connect "development mode"),
 * kept only for sites that still allow it. Since 2026-03-31 Atlassian blocks installing private
 * Connect apps from a descriptor URL, so most sites refuse it; the default loop is Connect on
 * Forge (forge-tunnel.ts).
 *
 * credentials.json names the site, the account and API token that may install apps there, and
 * the ngrok authtoken. Everything that can be checked before starting is checked first, each
 * failure with what to fix: the file, the token, the optional @ngrok/ngrok package, the site's
 * answer to the app-management API. Then Keepsake starts (sqlite file, Atlassian's Connect JS and
 * keys), ACE opens the ngrok tunnel and registers the descriptor through it, within
 * KEEPSAKE_REGISTER_TIMEOUT_MS. With AC_LOCAL_BASE_URL set to the https URL of a tunnel you run
 * yourself, ngrok is not used.
 */
import { buildFrontend } from '../build-frontend';
import { CredentialsError, readCredentials } from './credentials';
import { loadDevSettings } from './dev-settings';
import { keepsakeEnvironment } from './keepsake-environment';
import { KeepsakeSupervisor } from './keepsake-supervisor';
import { INSTALL_NGROK, ngrokIsInstalled } from './ngrok-tunnel';
import { reloadOnChange } from './reload-on-change';
import { checkSite, SiteError } from './site-preflight';
import type { SourceWatcher } from './source-watcher';
import { stopOnSignals } from './stop-on-signals';

const SITE_CHECK_TIMEOUT_MS = 15_000;
const PREFIX = '[dev:tunnel --connect]';
const BLOCKED =
  'Since 2026-03-31 Atlassian blocks installing private Connect apps from a descriptor URL, development mode included; ' +
  'for such a site run `npm run dev:tunnel` without --connect (Connect on Forge).';

export interface ConnectLoopOptions {
  root: string;
  credentialsFile: string;
  watch: boolean;
}

function log(line: string): void {
  process.stdout.write(`${PREFIX} ${line}\n`);
}

/** Stops before anything started, with the reason on stderr. */
function refuse(message: string): never {
  process.stderr.write(`${PREFIX} ${message}\n`);
  process.exit(1);
}

export async function runConnectLoop({ root, credentialsFile, watch }: ConnectLoopOptions): Promise<void> {
  const settings = loadDevSettings(root);
  const ownTunnel = Boolean(process.env.AC_LOCAL_BASE_URL);
  log('descriptor-URL install (Connect development mode), only for sites that still allow it (docs/development.md).');

  let sites;
  try {
    sites = readCredentials(credentialsFile, { ownTunnel }).sites;
  } catch (error) {
    if (error instanceof CredentialsError) refuse(error.message);
    throw error;
  }
  if (!ownTunnel && !ngrokIsInstalled()) refuse(INSTALL_NGROK);
  for (const site of sites) {
    log(`checking ${site.siteUrl}…`);
    try {
      await checkSite(site, SITE_CHECK_TIMEOUT_MS);
    } catch (error) {
      if (error instanceof SiteError) refuse(error.message);
      throw error;
    }
  }

  log('building the front end…');
  await buildFrontend();
  const keepsake = new KeepsakeSupervisor({
    root,
    args: ['--credentials', credentialsFile],
    env: keepsakeEnvironment({ PORT: String(settings.port) }),
    log,
  });
  let watcher: SourceWatcher | undefined;
  const stop = stopOnSignals(async () => {
    watcher?.close();
    log('stopping Keepsake (it uninstalls itself from the site)…');
    await keepsake.stop();
  });

  log(
    ownTunnel
      ? `starting Keepsake behind ${process.env.AC_LOCAL_BASE_URL}…`
      : 'starting Keepsake, opening the ngrok tunnel and installing it through ACE…',
  );
  let url: string;
  try {
    url = await keepsake.start();
  } catch (error) {
    const message = (error as Error).message;
    // A refusal by the site may be Atlassian's block; a tunnel that did not open is not.
    const hint = /ngrok tunnel/.test(message) ? '' : `\n${PREFIX} ${BLOCKED}`;
    process.stderr.write(`${PREFIX} Keepsake was not installed: ${message}${hint}\n`);
    await stop(1);
    return;
  }
  if (watch) watcher = reloadOnChange(root, keepsake, log);
  process.stdout.write(
    [
      '',
      `Keepsake dev:tunnel --connect (descriptor-URL install) is ready: ${url} is installed on ${sites.map((s) => s.siteUrl).join(', ')}`,
      '',
      `  Open any page of ${sites[0].siteUrl}: the Keepsake panel is under it; "My Keepsake" is in your personal settings' menu.`,
      '  Each restart opens a new tunnel and installs again (ngrok URLs change unless your account has a fixed domain).',
      watcher
        ? '  Watching server.ts, app.ts, lib/, routes/, platform/ (restart) and frontend/ (rebuild). Ctrl-C stops and uninstalls.'
        : '  Ctrl-C stops and uninstalls.',
      '',
    ].join('\n'),
  );
}
