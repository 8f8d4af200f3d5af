/**
 * `npm run dev:tunnel`: Keepsake on a real Confluence Cloud developer site, the way that works
 * since Atlassian blocked descriptor-URL installs of private Connect apps (2026-03-31): Connect
 * on Forge (docs/forge.md). Step by step (docs/development.md):
 *
 * 1. checks, before anything starts, and names everything missing at once with what to do:
 *    credentials.json (the site; the ngrok authtoken), @ngrok/ngrok, the Forge CLI on the PATH,
 *    its credentials (FORGE_EMAIL/FORGE_API_TOKEN, or `forge login`, asked with `forge whoami`),
 *    the app id (KEEPSAKE_FORGE_APP_ID or the dev folder's app-id file); then that each site
 *    answers as an Atlassian Cloud site (/_edge/tenant_info);
 * 2. registers the developer's own Forge app once (`forge register`) when there is no app id;
 * 3. opens the ngrok tunnel (@ngrok/ngrok, or AC_LOCAL_BASE_URL: a tunnel of one's own) and
 *    starts Keepsake behind it (AC_LOCAL_BASE_URL = the tunnel, so the signed `installed` that
 *    `forge install` sends is addressed to it), registering nowhere itself;
 * 4. renders manifest.yml into the dev folder with the remote's baseUrl at the tunnel and the
 *    app id, and runs `forge deploy -e development` and `forge install` (`--upgrade` when the
 *    site has it already) there, each within a time limit;
 * 5. watches the sources: Keepsake restarts behind the same tunnel; a changed manifest
 *    (atlassian-connect.json) is deployed and installed again;
 * 6. Ctrl-C stops Keepsake and closes the tunnel; the app stays installed (the way to uninstall
 *    is printed).
 *
 * Every failure ends the script with exit code 1 and one message on stderr saying what to fix.
 */
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { buildFrontend } from '../build-frontend';
import { checkRemoteBaseUrl, ManifestSourceError, renderManifest } from '../manifest/generate';
import { CredentialsError, readForgeCredentials, type ForgeSite, type ForgeTunnelCredentials } from './credentials';
import { loadDevSettings } from './dev-settings';
import { findExecutable, forgeCredentialSource, ForgeCli, ForgeError, INSTALL_FORGE_CLI, isInstalledOn } from './forge-cli';
import {
  appIdFile,
  configuredAppId,
  ForgeFolderError,
  manifestFile,
  registeredAppId,
  saveAppId,
  writeDevManifest,
  type AppId,
} from './forge-dev-folder';
import { keepsakeEnvironment } from './keepsake-environment';
import { KeepsakeSupervisor } from './keepsake-supervisor';
import { INSTALL_NGROK, ngrokIsInstalled, openNgrokTunnel, TunnelError, type Tunnel } from './ngrok-tunnel';
import { checkForgeSite, SiteError } from './site-preflight';
import { watchSources, type SourceWatcher } from './source-watcher';

const PREFIX = '[dev:tunnel]';
const SITE_CHECK_TIMEOUT_MS = 15_000;
/** The name `forge register` gives the developer's app (shown in the developer console). */
const APP_NAME = 'Keepsake (development)';

export interface ForgeLoopOptions {
  root: string;
  credentialsFile: string;
  watch: boolean;
}

function log(line: string): void {
  process.stdout.write(`${PREFIX} ${line}\n`);
}

function echo(line: string): void {
  process.stdout.write(`  forge │ ${line}\n`);
}

function complain(message: string): void {
  process.stderr.write(
    message
      .split('\n')
      .map((line) => `${PREFIX} ${line}\n`)
      .join(''),
  );
}

/** Stops before anything started. */
function refuse(message: string): never {
  complain(message);
  process.exit(1);
}

export async function runForgeLoop({ root, credentialsFile, watch }: ForgeLoopOptions): Promise<void> {
  const settings = loadDevSettings(root);
  const folder = settings.forgeDevDir;
  const ownTunnel = process.env.AC_LOCAL_BASE_URL || undefined;
  log('Connect on Forge: forge deploy and forge install, with the remote at a tunnel to this machine (docs/development.md).');

  // 1. Everything that can be checked here, named all at once.
  const problems: string[] = [];
  let credentials: ForgeTunnelCredentials | undefined;
  try {
    credentials = readForgeCredentials(credentialsFile, { ownTunnel: Boolean(ownTunnel) });
  } catch (error) {
    if (!(error instanceof CredentialsError)) throw error;
    problems.push(error.message);
  }
  if (ownTunnel) {
    try {
      checkRemoteBaseUrl(ownTunnel);
    } catch (error) {
      if (!(error instanceof ManifestSourceError)) throw error;
      problems.push(`AC_LOCAL_BASE_URL must be the public https URL of your tunnel: ${error.message}.`);
    }
  } else if (!ngrokIsInstalled()) {
    problems.push(INSTALL_NGROK);
  }
  let appId: AppId | undefined;
  try {
    appId = configuredAppId(folder);
  } catch (error) {
    if (!(error instanceof ForgeFolderError)) throw error;
    problems.push(error.message);
  }
  const executable = findExecutable('forge');
  if (!executable) problems.push(`The Forge CLI (forge) is not on your PATH. ${INSTALL_FORGE_CLI}`);
  let source: ReturnType<typeof forgeCredentialSource> | undefined;
  try {
    source = forgeCredentialSource();
  } catch (error) {
    if (!(error instanceof ForgeError)) throw error;
    problems.push(error.message);
  }
  mkdirSync(folder, { recursive: true });
  const forge = executable ? new ForgeCli({ executable, cwd: folder, echo, timeoutMs: settings.forgeTimeoutMs }) : undefined;
  if (forge && source) {
    // `forge login` keeps its credentials in the system keychain, which only the CLI reads.
    log(
      `checking the Forge CLI's credentials (${source === 'environment' ? 'FORGE_EMAIL and FORGE_API_TOKEN' : '`forge login`'}) with forge whoami…`,
    );
    try {
      log(`Forge CLI: ${await forge.whoami(source)}.`);
    } catch (error) {
      if (!(error instanceof ForgeError)) throw error;
      problems.push(error.message);
    }
  }
  if (problems.length > 0 || !forge || !credentials) {
    refuse(
      [
        `Not ready to deploy Keepsake with Forge; fix ${problems.length === 1 ? 'this' : 'these'} and run again:`,
        ...problems.map((p) => `  - ${p}`),
      ].join('\n'),
    );
  }
  const sites = credentials.sites;
  for (const site of sites) {
    log(`checking ${site.origin}…`);
    try {
      log(`${site.host} is an Atlassian Cloud site (cloud id ${await checkForgeSite(site, SITE_CHECK_TIMEOUT_MS)}).`);
    } catch (error) {
      if (error instanceof SiteError) refuse(error.message);
      throw error;
    }
  }

  // 2. The developer's own Forge app, registered once.
  if (!appId) {
    log(
      `no Forge app of yours yet (neither KEEPSAKE_FORGE_APP_ID nor ${appIdFile(folder)}): registering one, once, with \`forge register "${APP_NAME}"\`…`,
    );
    try {
      writeDevManifest(folder);
      await forge.register(APP_NAME, Boolean(process.stdin.isTTY && process.stdout.isTTY));
    } catch (error) {
      if (error instanceof ForgeError || error instanceof ForgeFolderError) refuse(error.message);
      throw error;
    }
    const id = registeredAppId(folder);
    if (!id)
      refuse(
        `\`forge register\` finished but wrote no app id into ${manifestFile(folder)}. Register an app yourself and set KEEPSAKE_FORGE_APP_ID to its id.`,
      );
    appId = saveAppId(folder, id);
    log(`registered ${id}; kept in ${appId.source} (every start deploys this app).`);
  }
  const app = appId;

  // 3. Keepsake behind the tunnel.
  log('building the front end…');
  await buildFrontend();
  const port = settings.port || (await freePort());
  let tunnel: Tunnel | undefined;
  // AC_LOCAL_BASE_URL is added once the tunnel is open, before Keepsake starts.
  const keepsakeEnv = keepsakeEnvironment({ PORT: String(port), KEEPSAKE_FORGE_APP_ID: app.id });
  const keepsake = new KeepsakeSupervisor({ root, args: ['--no-register'], env: keepsakeEnv, log });
  let watcher: SourceWatcher | undefined;
  let installedOn: ForgeSite[] = [];
  let stopping = false;
  const stop = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    watcher?.close();
    forge.stopAll();
    if (keepsake.pid !== undefined) log('stopping Keepsake…');
    await keepsake.stop();
    if (tunnel && !ownTunnel) {
      log('closing the tunnel…');
      await tunnel.close();
    }
    for (const site of installedOn) {
      log(
        `Keepsake stays installed on ${site.host} (Forge app ${app.id}, development); its remote ${tunnel?.url} answers again at the next start. ` +
          `To uninstall: cd ${folder} && forge uninstall --site ${site.host} --product confluence -e development`,
      );
    }
    process.exit(exitCode);
  };
  const fail = async (message: string) => {
    // A command ended by Ctrl-C fails too; that is not news.
    if (stopping) return;
    complain(message);
    await stop(1);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    if (ownTunnel) {
      tunnel = { url: checkRemoteBaseUrl(ownTunnel), close: async () => undefined };
    } else {
      log(`opening the ngrok tunnel to port ${port}…`);
      tunnel = await openNgrokTunnel(port, credentials.ngrok!, settings.tunnelTimeoutMs);
    }
  } catch (error) {
    if (error instanceof TunnelError) return fail(error.message);
    throw error;
  }
  const remote = tunnel.url;
  // The signed `installed` that forge install sends is addressed (aud) to this URL.
  keepsakeEnv.AC_LOCAL_BASE_URL = remote;
  log(`starting Keepsake on port ${port}, reached at ${remote}…`);
  try {
    await keepsake.start();
  } catch (error) {
    return fail(`Keepsake did not start: ${(error as Error).message}`);
  }

  // 4. Deploy the manifest pointed at the tunnel, install or upgrade it on each site.
  let deployed: string | undefined;
  const deployAndInstall = async () => {
    const text = writeDevManifest(folder, { remoteBaseUrl: remote, appId: app.id });
    log(`wrote ${manifestFile(folder)}: remote baseUrl ${remote}, app ${app.id}.`);
    const manifestLine = `The manifest: ${manifestFile(folder)} (app ${app.id} from ${app.source}; remote ${remote}).`;
    const otherApp = app.source === 'KEEPSAKE_FORGE_APP_ID' ? 'unset KEEPSAKE_FORGE_APP_ID' : `delete ${app.source}`;
    log('forge deploy -e development…');
    await forge.deploy(`${manifestLine} If the app is not one of your account's, ${otherApp} and run again to register a new one.`);
    log('forge install list (installed already?)…');
    const installations = await forge.installations();
    for (const site of sites) {
      const upgrade = installations.some((installation) => isInstalledOn(installation, site.host));
      log(
        upgrade ? `upgrading the installation on ${site.host} (forge install --upgrade)…` : `installing on ${site.host} (forge install)…`,
      );
      await forge.install(
        site.host,
        upgrade,
        `Keepsake is deployed; once fixed, run again, or only install: cd ${folder} && forge install --site ${site.host} --product confluence -e development`,
      );
      if (!installedOn.includes(site)) installedOn = [...installedOn, site];
    }
    deployed = text;
  };
  try {
    await deployAndInstall();
  } catch (error) {
    if (error instanceof ForgeError || error instanceof ForgeFolderError) return fail(error.message);
    throw error;
  }

  if (stopping) return;

  // 5. Watch: restart Keepsake behind the same tunnel; deploy again when the manifest changed.
  let redeploying: Promise<void> = Promise.resolve();
  const redeployIfChanged = () => {
    redeploying = redeploying.then(async () => {
      let text: string;
      try {
        text = renderManifest({ remoteBaseUrl: remote, appId: app.id });
      } catch (error) {
        log(`The manifest cannot be rendered: ${(error as Error).message}`);
        return;
      }
      if (text === deployed || stopping) return;
      log('the manifest changed: deploying and installing again…');
      try {
        await deployAndInstall();
        log('deployed and installed.');
      } catch (error) {
        log(`${(error as Error).message}\nFix it and save: the next change deploys again.`);
      }
    });
  };
  if (watch) {
    watcher = watchSources(root, (kind, files) => {
      if (kind === 'server') {
        void keepsake.restart(`${files.join(', ')} changed`).then(redeployIfChanged);
        return;
      }
      buildFrontend().then(
        () => log(`${files.join(', ')} changed: front end rebuilt (reload the page).`),
        (error: Error) => log(`The front-end build failed: ${error.message}`),
      );
    });
  }
  process.stdout.write(
    [
      '',
      `Keepsake dev:tunnel (Connect on Forge) is ready: ${remote} is deployed (Forge app ${app.id}, development) and installed on ${sites.map((s) => s.host).join(', ')}`,
      '',
      `  Open any page of ${sites[0].siteUrl}: the Keepsake panel is under it; "My Keepsake" is in your personal settings' menu.`,
      "  Each start deploys again; a tunnel URL other than the last deploy's is a major version, so the installation is upgraded",
      '  (a fixed ngrok "domain" in credentials.json keeps the URL).',
      watcher
        ? '  Watching server.ts, app.ts, lib/, routes/, platform/ (restart; a changed atlassian-connect.json deploys again) and frontend/ (rebuild).'
        : '  Not watching the sources (--no-watch).',
      '  Ctrl-C stops Keepsake and the tunnel; Keepsake stays installed on the site.',
      '',
    ].join('\n'),
  );
}

/** A port nothing listens on, for PORT=0 (ngrok needs the port before Keepsake starts). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
