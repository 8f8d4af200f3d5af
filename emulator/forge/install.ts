// Confluence's part of `forge install` for a Connect-on-Forge app (docs/platform-facts.md §6 (Connect on Forge)): the
// app is registered under its app.connect.key with the modules of `connectModules` (so the
// host pages show them, as after a UPM install), and the Connect `installed` lifecycle goes to
// the remote signed RS256 exactly as today's signed install, with the Forge `installationId`
// in the payload. `enabled`/`disabled` are never sent and a minor version does not send
// `installed` (documented: https://developer.atlassian.com/platform/adopting-forge-from-connect/limitations-and-differences).
import { randomUUID } from 'node:crypto';
import type { EmulatorContext } from '../emulator-context';
import { InstallError, installIdentity, postLifecycle, queued, uninstallApp } from '../install/lifecycle';
import type { InstalledApp } from '../site';
import { INSTALLATION_ARI_PREFIX, majorChanges, readManifestText } from './manifest';

/** A Forge install the site refuses for a reason other than the manifest (HTTP 409). */
export class ForgeConflictError extends Error {}

export type ForgeInstallOutcome = 'installed' | 'minor' | 'major';

export interface ForgeInstallResult {
  app: InstalledApp;
  outcome: ForgeInstallOutcome;
  /** Why a version is major (empty for installs and minor versions). */
  reasons: string[];
}

export interface ForgeInstallOptions {
  /** The app's name (set by `forge register`, not in the manifest); default: the Connect key. */
  name?: string;
  /** `forge install --upgrade`: apply a major version. */
  upgrade?: boolean;
}

export function installedForgeApps(ctx: EmulatorContext): InstalledApp[] {
  return ctx.site.listApps().filter((a) => a.status === 'installed' && a.installedVia === 'forge' && a.forge);
}

/** The installed Forge app with this installation id (the ARI, or only its UUID). */
export function findForgeInstallation(ctx: EmulatorContext, installationId: string): InstalledApp | undefined {
  const ari = installationId.startsWith(INSTALLATION_ARI_PREFIX) ? installationId : `${INSTALLATION_ARI_PREFIX}${installationId}`;
  return installedForgeApps(ctx).find((a) => a.forge?.installationId === ari);
}

/** Installs the manifest's app, or updates the installation of the same app (minor or, with `upgrade`, major). */
export async function installForgeApp(
  ctx: EmulatorContext,
  manifestText: string,
  options: ForgeInstallOptions = {},
): Promise<ForgeInstallResult> {
  const { manifest, forgeApp, descriptor } = await readManifestText(manifestText, options.name);
  return queued(ctx, descriptor.key, async () => {
    const sameAppElsewhere = installedForgeApps(ctx).find((a) => a.forge?.appId === forgeApp.appId && a.key !== descriptor.key);
    if (sameAppElsewhere) {
      throw new ForgeConflictError(
        `The app ${forgeApp.appId} is installed on this site under app.connect.key ${sameAppElsewhere.key}; the key of an installed app cannot change: uninstall it first`,
      );
    }
    const previous = ctx.site.findApp(descriptor.key);
    const current = previous?.status === 'installed' ? previous : undefined;
    const connectPart = {
      name: descriptor.name,
      baseUrl: descriptor.baseUrl,
      descriptor: descriptor.raw,
      scopes: descriptor.scopes,
      lifecycle: descriptor.lifecycle,
    };

    if (current?.installedVia === 'forge' && current.forge) {
      if (current.forge.appId !== forgeApp.appId) {
        throw new ForgeConflictError(
          `app.connect.key ${descriptor.key} is installed on this site by another Forge app (${current.forge.appId}); an app with the same app.connect.key can only be installed once on a site`,
        );
      }
      const reasons = majorChanges(current.forge.manifest, manifest);
      if (reasons.length === 0) {
        // A minor version: applied at once, no lifecycle event (documented).
        const updated: InstalledApp = {
          ...current,
          ...connectPart,
          forge: { ...current.forge, manifest, minorVersion: current.forge.minorVersion + 1 },
        };
        ctx.site.saveApp(updated);
        ctx.logger.info({ appKey: updated.key }, 'Forge app updated (minor version)');
        return { app: updated, outcome: 'minor', reasons };
      }
      if (!options.upgrade) {
        throw new ForgeConflictError(
          `This is a major version of ${descriptor.key} (${reasons.join('; ')}); the installation keeps its version until it is upgraded (forge install --upgrade): send "upgrade": true`,
        );
      }
      // A major upgrade approved by the admin: `installed` again, same installation and secrets (assumed).
      const upgraded: InstalledApp = {
        ...current,
        ...connectPart,
        forge: { ...current.forge, manifest, majorVersion: current.forge.majorVersion + 1, minorVersion: 0 },
      };
      const failure = await postLifecycle(ctx, upgraded, 'installed');
      if (failure) throw new InstallError(failure);
      ctx.site.saveApp(upgraded);
      ctx.logger.info({ appKey: upgraded.key }, 'Forge app upgraded (major version)');
      return { app: upgraded, outcome: 'major', reasons };
    }

    // A new installation; it replaces a Connect install of the same key (documented: the
    // Connect app is installed first and `forge install` replaces it).
    const app: InstalledApp = {
      key: descriptor.key,
      ...connectPart,
      descriptorUrl: '',
      ...installIdentity(previous),
      status: 'installed',
      installedAt: new Date().toISOString(),
      installedVia: 'forge',
      forge: {
        installationId: `${INSTALLATION_ARI_PREFIX}${randomUUID()}`,
        appId: forgeApp.appId,
        manifest,
        majorVersion: 1,
        minorVersion: 0,
      },
    };
    const failure = await postLifecycle(ctx, app, 'installed');
    if (failure) throw new InstallError(failure);
    ctx.site.saveApp(app);
    ctx.logger.info({ appKey: app.key, clientKey: app.clientKey, installationId: app.forge?.installationId }, 'Forge app installed');
    return { app, outcome: 'installed', reasons: [] };
  });
}

/** `forge uninstall`: the signed `uninstalled` (with installationId), then the app is gone. */
export async function uninstallForgeApp(ctx: EmulatorContext, installationId: string): Promise<boolean> {
  const app = findForgeInstallation(ctx, installationId);
  if (!app) return false;
  return uninstallApp(ctx, app.key);
}
