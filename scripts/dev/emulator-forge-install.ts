/**
 * `npm run dev -- --forge`: Keepsake installed into the emulator the Connect-on-Forge way.
 * manifest.yml is rendered with the remote's baseUrl at the local Keepsake and a fixed
 * development app id (scripts/manifest/generate.ts renderManifest()) and installed through the
 * emulator's `POST /_emulator/forge/installations {manifest}` (docs/emulator.md "Forge
 * installs"): 201 for a new installation, 200 for an update of the one the state file kept (a
 * major version is sent with `upgrade: true`, as `forge install --upgrade`). The emulator
 * refuses a Forge and a Connect install of the same key side by side only one way round, so
 * both ways are checked here first and named with what to do.
 */
import { readDescriptor, renderManifest } from '../manifest/generate';
import { forgeTemplate } from '../manifest/forge-template';

/**
 * The app id of Keepsake's Forge installs in the emulator (never registered with Atlassian; the
 * dev:tunnel loop uses the developer's own). Fixed, so the installation a state file keeps is
 * updated by the next start instead of refused as another app's.
 */
export const DEV_FORGE_APP_ID = 'ari:cloud:ecosystem::app/6b656570-7361-4b65-8000-000000000dec';

/** The install could not happen; the message says why and what to do. */
export class ForgeInstallError extends Error {}

interface EmulatorApp {
  key: string;
  status: string;
  installedVia?: 'connect' | 'forge';
  installationId?: string | null;
}

export interface ForgeInstall {
  installationId: string;
  appId: string;
  /** `installed` (new), `minor` or `major` (an update of the kept installation), `unchanged` (nothing sent). */
  outcome: 'installed' | 'minor' | 'major' | 'unchanged';
}

/** The app key Keepsake is installed under (the descriptor's, also `app.connect.key`). */
export function keepsakeAppKey(): string {
  return readDescriptor().key;
}

/** How Keepsake is installed in the emulated site now: undefined when it is not. */
export async function installedVia(emulatorUrl: string, appKey: string = keepsakeAppKey()): Promise<'connect' | 'forge' | undefined> {
  const response = await fetch(`${emulatorUrl}/_emulator/apps`);
  if (!response.ok) throw new ForgeInstallError(`The emulator did not list its apps: HTTP ${response.status}.`);
  const app = ((await response.json()) as EmulatorApp[]).find((a) => a.key === appKey && a.status === 'installed');
  return app ? (app.installedVia ?? 'connect') : undefined;
}

/** Why `--forge` cannot run on this site: Keepsake is installed through Connect (UPM). */
export function connectInstallMessage(appKey: string, emulatorUrl: string): string {
  return (
    `Keepsake (${appKey}) is installed in the emulated site through Connect (UPM), as \`npm run dev\` installs it, ` +
    `and --forge installs it the Forge way: an app key is installed once per site. Run \`npm run dev -- --forge --reset\` ` +
    `to start from the seeded site, or uninstall Keepsake first (sign in as admin at ${emulatorUrl}/wiki/plugins/servlet/upm, ` +
    `or DELETE ${emulatorUrl}/_emulator/apps/${appKey}).`
  );
}

/** Why plain `npm run dev` cannot run on this site: Keepsake is installed the Forge way. */
export function forgeInstallMessage(appKey: string, emulatorUrl: string): string {
  return (
    `Keepsake (${appKey}) is installed in the emulated site the Forge way (\`npm run dev -- --forge\`), and UPM refuses ` +
    `a Connect install of a key installed through Forge. Run \`npm run dev -- --forge\` to keep that install, ` +
    `\`npm run dev -- --reset\` to start from the seeded site, or uninstall Keepsake first (sign in as admin at ` +
    `${emulatorUrl}/wiki/plugins/servlet/upm, or DELETE ${emulatorUrl}/_emulator/apps/${appKey}).`
  );
}

/**
 * Installs Keepsake at `remoteBaseUrl` the Forge way, or updates the installation the emulator
 * kept; later calls send the manifest again only when its rendered text changed.
 */
export class EmulatorForgeInstaller {
  private installed: string | undefined;
  private last: ForgeInstall | undefined;

  constructor(
    private readonly emulatorUrl: string,
    private readonly appId: string = DEV_FORGE_APP_ID,
  ) {}

  /** The manifest as it is installed for Keepsake at this URL. */
  manifestFor(remoteBaseUrl: string): string {
    return renderManifest({ remoteBaseUrl, appId: this.appId });
  }

  async install(remoteBaseUrl: string): Promise<ForgeInstall> {
    const manifest = this.manifestFor(remoteBaseUrl);
    if (this.last && manifest === this.installed) return { ...this.last, outcome: 'unchanged' };
    // An update of an installation the state file kept: a major version is applied as
    // `forge install --upgrade` applies it (the developer changed the manifest on purpose).
    const response = await fetch(`${this.emulatorUrl}/_emulator/forge/installations`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ manifest, upgrade: true }),
    });
    const text = await response.text();
    let body: { installationId?: string; appId?: string; update?: 'minor' | 'major'; message?: string } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // not JSON: the text is the message
    }
    if (response.status !== 201 && response.status !== 200) {
      throw new ForgeInstallError(`The emulator refused the Forge install (HTTP ${response.status}): ${body.message ?? text}`);
    }
    this.installed = manifest;
    this.last = {
      installationId: body.installationId ?? '',
      appId: body.appId ?? this.appId,
      outcome: response.status === 201 ? 'installed' : (body.update ?? 'minor'),
    };
    return this.last;
  }
}

/** The scheduled triggers of the manifest, as `curl` lines that run them now through the emulator. */
export function triggerCommands(emulatorUrl: string, appKey: string): string[] {
  return forgeTemplate.scheduledJobs.map(
    (job) =>
      `curl -X POST ${emulatorUrl}/_emulator/forge/scheduled-triggers/run -H 'Content-Type: application/json' ` +
      `-d '{"appKey":"${appKey}","key":"${job.triggerKey}"}'`,
  );
}
