/**
 * `npm run dev:tunnel`: Keepsake on a real Confluence Cloud developer site.
 * credentials.json (git-ignored; see credentials.example.json) names the site, the account and
 * API token that may install apps there, and the ngrok authtoken. Everything that can be checked
 * before starting is checked first, each failure with what to fix: the file, the token, the
 * optional @ngrok/ngrok package, the site's answer to the app-management API. Then Keepsake
 * starts (sqlite file, Atlassian's Connect JS and keys), ACE opens the ngrok tunnel and
 * registers the descriptor through it, within KEEPSAKE_REGISTER_TIMEOUT_MS.
 * Options: --credentials FILE (default credentials.json), --no-watch. Set AC_LOCAL_BASE_URL to
 * the https URL of a tunnel you run yourself and ngrok is not used. docs/development.md.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildFrontend } from './build-frontend';
import { CredentialsError, readCredentials } from './dev/credentials';
import { loadDevSettings } from './dev/dev-settings';
import { keepsakeEnvironment } from './dev/keepsake-environment';
import { KeepsakeSupervisor } from './dev/keepsake-supervisor';
import { reloadOnChange } from './dev/reload-on-change';
import { checkSite, SiteError } from './dev/site-preflight';
import type { SourceWatcher } from './dev/source-watcher';

const root = join(__dirname, '..');
const SITE_CHECK_TIMEOUT_MS = 15_000;

function log(line: string): void {
  process.stdout.write(`[dev:tunnel] ${line}\n`);
}

/** Stops before anything started, with the reason on stderr. */
function refuse(message: string): never {
  process.stderr.write(`[dev:tunnel] ${message}\n`);
  process.exit(1);
}

function ngrokIsInstalled(): boolean {
  try {
    require.resolve('@ngrok/ngrok');
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { credentials: { type: 'string' }, 'no-watch': { type: 'boolean', default: false } } });
  const credentialsFile = resolve(values.credentials ?? join(root, 'credentials.json'));
  const settings = loadDevSettings(root);
  const ownTunnel = Boolean(process.env.AC_LOCAL_BASE_URL);

  let sites;
  try {
    sites = readCredentials(credentialsFile, { ownTunnel }).sites;
  } catch (error) {
    if (error instanceof CredentialsError) refuse(error.message);
    throw error;
  }
  if (!ownTunnel && !ngrokIsInstalled()) {
    refuse('The optional package @ngrok/ngrok is not installed (npm install --omit=optional leaves it out): run `npm install @ngrok/ngrok`.');
  }
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
  let stopping = false;
  const stop = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    watcher?.close();
    log('stopping Keepsake (it uninstalls itself from the site)…');
    await keepsake.stop();
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  log(ownTunnel ? `starting Keepsake behind ${process.env.AC_LOCAL_BASE_URL}…` : 'starting Keepsake, opening the ngrok tunnel and installing it through ACE…');
  let url: string;
  try {
    url = await keepsake.start();
  } catch (error) {
    process.stderr.write(`[dev:tunnel] Keepsake was not installed: ${(error as Error).message}\n`);
    await stop(1);
    return;
  }
  if (!values['no-watch']) watcher = reloadOnChange(root, keepsake, log);
  process.stdout.write(
    [
      '',
      `Keepsake dev:tunnel is ready: ${url} is installed on ${sites.map((s) => s.siteUrl).join(', ')}`,
      '',
      `  Open any page of ${sites[0].siteUrl}: the Keepsake panel is under it; "My Keepsake" is in your personal settings' menu.`,
      '  Each restart opens a new tunnel and installs again (ngrok URLs change unless your account has a fixed domain).',
      watcher ? '  Watching server.ts, app.ts, lib/, routes/ (restart) and frontend/ (rebuild). Ctrl-C stops and uninstalls.' : '  Ctrl-C stops and uninstalls.',
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => refuse(error instanceof Error ? error.message : String(error)));
