/**
 * The Connect-on-Forge dev loop's folder (KEEPSAKE_FORGE_DEV_DIR, default .data/forge-dev,
 * git-ignored): `forge` runs there, on
 *
 * - manifest.yml: the committed manifest rendered with the remote's baseUrl at the tunnel and
 *   the developer's own app id (scripts/manifest/generate.ts renderManifest(); the committed
 *   manifest.yml is never written);
 * - app-id: the id `forge register` gave the developer's app, kept so that every start deploys
 *   the same app. KEEPSAKE_FORGE_APP_ID, when set, is used instead.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { checkAppId, ManifestSourceError, renderManifest } from '../manifest/generate';
import { forgeTemplate } from '../manifest/forge-template';

/** The folder's app id or rendered manifest is not usable; the message says what to do. */
export class ForgeFolderError extends Error {}

export interface AppId {
  /** ari:cloud:ecosystem::app/<uuid> */
  id: string;
  /** Where it came from, for messages: KEEPSAKE_FORGE_APP_ID or the app-id file. */
  source: string;
}

export function manifestFile(folder: string): string {
  return join(folder, 'manifest.yml');
}

export function appIdFile(folder: string): string {
  return join(folder, 'app-id');
}

/** The app id from KEEPSAKE_FORGE_APP_ID or the folder's app-id file; undefined: not registered yet. */
export function configuredAppId(folder: string, env: NodeJS.ProcessEnv = process.env): AppId | undefined {
  if (env.KEEPSAKE_FORGE_APP_ID) {
    return {
      id: validAppId(env.KEEPSAKE_FORGE_APP_ID, 'KEEPSAKE_FORGE_APP_ID', 'set it to the id `forge register` printed, or unset it'),
      source: 'KEEPSAKE_FORGE_APP_ID',
    };
  }
  const file = appIdFile(folder);
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8').trim();
  return { id: validAppId(text, file, 'delete the file and the next start registers a new app'), source: file };
}

/** Keeps the id `forge register` gave. */
export function saveAppId(folder: string, id: string): AppId {
  mkdirSync(folder, { recursive: true });
  writeFileSync(appIdFile(folder), `${id}\n`);
  return { id, source: appIdFile(folder) };
}

/**
 * Writes the manifest `forge` acts on. Without options: the committed manifest as it is (its
 * placeholder app id), which `forge register` needs and then rewrites with the new id.
 */
export function writeDevManifest(folder: string, options: { remoteBaseUrl?: string; appId?: string } = {}): string {
  let text: string;
  try {
    text = renderManifest(options);
  } catch (error) {
    if (error instanceof ManifestSourceError) throw new ForgeFolderError(`Cannot render the development manifest: ${error.message}`);
    throw error;
  }
  mkdirSync(folder, { recursive: true });
  writeFileSync(manifestFile(folder), text);
  return text;
}

/** The app id `forge register` wrote into the folder's manifest.yml, if it wrote one. */
export function registeredAppId(folder: string): string | undefined {
  let manifest: { app?: { id?: unknown } };
  try {
    manifest = parse(readFileSync(manifestFile(folder), 'utf8')) as typeof manifest;
  } catch {
    return undefined;
  }
  const id = manifest?.app?.id;
  if (typeof id !== 'string' || id === forgeTemplate.appId) return undefined;
  try {
    return checkAppId(id);
  } catch {
    return undefined;
  }
}

function validAppId(value: string, where: string, fix: string): string {
  try {
    const id = checkAppId(value);
    if (id === forgeTemplate.appId) throw new ManifestSourceError('the placeholder id of scripts/manifest/forge-template.ts');
    return id;
  } catch (error) {
    throw new ForgeFolderError(
      `${where} holds ${JSON.stringify(value)}, which is not a Forge app id (${(error as Error).message}): ${fix}.`,
    );
  }
}
