/**
 * manifest.yml from atlassian-connect.json and the Forge template: the one source of truth
 * for Keepsake as a Connect-on-Forge app (docs/forge.md).
 *
 * - `app.connect.key` is the descriptor's key; `app.connect.remote` names the remote whose
 *   baseUrl is Keepsake's; `app.connect.authentication` is the descriptor's (jwt).
 * - `connectModules`: the descriptor's lifecycle as `confluence:lifecycle` (one entry) and each
 *   module type `T` as `confluence:T`, a list, entries unchanged: the mapping of Atlassian's
 *   converter (`connect-to-forge convert`, docs/platform-facts.md §6 (Connect on Forge)).
 * - `permissions.scopes`: each Connect scope in Forge spelling (`ACT_AS_USER` →
 *   `act-as-user:connect-confluence`), then the remote's own (forge-template.ts).
 * - `remotes`, `modules.endpoint`, `modules.scheduledTrigger`, `modules.connectToForgeMigration`,
 *   `app.id`, `app.runtime`: the template's.
 *
 * renderManifest() is also how a dev loop gets a manifest whose remote is a tunnel or the
 * local emulator: same manifest, another baseUrl (and its own app id).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { forgeTemplate, type ForgeTemplate } from './forge-template';

/** The project folder: manifest.yml and atlassian-connect.json sit at its top. */
export const PROJECT_ROOT = join(__dirname, '..', '..');
export const DESCRIPTOR_PATH = join(PROJECT_ROOT, 'atlassian-connect.json');
export const MANIFEST_PATH = join(PROJECT_ROOT, 'manifest.yml');

const PRODUCT = 'confluence';
const APP_ARI_PREFIX = 'ari:cloud:ecosystem::app/';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Connect app keys: the descriptor's limit (64) is tighter than app.connect.key's (90). */
const CONNECT_KEY = /^[a-zA-Z0-9-._]{1,64}$/;
/** Module keys, Connect's and Forge's (`ModuleKeySchema`). */
const MODULE_KEY = /^[a-zA-Z0-9_-]+$/;

/** The parts of a Connect descriptor the manifest is made from. */
export interface ConnectDescriptor {
  key: string;
  name?: string;
  description?: string;
  baseUrl?: string;
  authentication?: { type?: string };
  lifecycle?: Record<string, string>;
  scopes?: string[];
  modules?: Record<string, unknown>;
}

/** A manifest the generator refuses to write; the message says what to fix and where. */
export class ManifestSourceError extends Error {}

export function readDescriptor(path: string = DESCRIPTOR_PATH): ConnectDescriptor {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { key?: unknown }).key !== 'string') {
    throw new ManifestSourceError(`${path}: not a Connect descriptor (no "key")`);
  }
  return parsed as ConnectDescriptor;
}

/** A Connect scope in Forge's spelling: `ACT_AS_USER` → `act-as-user:connect-confluence`. */
export function forgeScopeOf(connectScope: string): string {
  return `${connectScope.toLowerCase().replace(/_/g, '-')}:connect-${PRODUCT}`;
}

/** The lifecycle entry's key in `confluence:lifecycle` (only one entry is allowed). */
export const LIFECYCLE_KEY = 'keepsake-lifecycle';

/** `connectModules` for a descriptor: its lifecycle and every module type, in Forge's names. */
export function connectModulesOf(descriptor: ConnectDescriptor): Record<string, unknown[]> {
  const connectModules: Record<string, unknown[]> = {};
  if (descriptor.lifecycle && Object.keys(descriptor.lifecycle).length > 0) {
    connectModules[`${PRODUCT}:lifecycle`] = [{ key: LIFECYCLE_KEY, ...descriptor.lifecycle }];
  }
  for (const [type, entries] of Object.entries(descriptor.modules ?? {})) {
    if (entries === undefined || entries === null) continue;
    // configurePage (one per app) is an object in a descriptor; Forge takes every type as a list.
    connectModules[`${PRODUCT}:${type}`] = structuredClone(Array.isArray(entries) ? entries : [entries]);
  }
  return connectModules;
}

export interface RenderOptions {
  /** The remote's baseUrl; default the template's (Keepsake's production URL). */
  remoteBaseUrl?: string;
  /** `app.id`, an app ARI or the bare UUID `forge register` printed; default the template's. */
  appId?: string;
  /**
   * `app.connect.key`; default the descriptor's. Only outside production: one key installs
   * once per site, and production's must stay the Connect key forever (docs/forge.md).
   */
  connectKey?: string;
  /** Default: atlassian-connect.json. */
  descriptor?: ConnectDescriptor;
  /** Default: forge-template.ts. */
  template?: ForgeTemplate;
}

/** A remote baseUrl: https (plain http only for this machine, e.g. the emulator), no trailing slash. */
export function checkRemoteBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ManifestSourceError(`remote baseUrl ${JSON.stringify(value)} is not an absolute URL`);
  }
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    throw new ManifestSourceError(`remote baseUrl ${value} must be https (Confluence reaches remotes over https; http only for localhost)`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new ManifestSourceError(`remote baseUrl ${value} must have no query, fragment or credentials`);
  }
  return url.href.replace(/\/+$/, '');
}

/** An app id as `app.id` wants it: `ari:cloud:ecosystem::app/<uuid>` (a bare UUID is prefixed). */
export function checkAppId(value: string): string {
  const id = value.startsWith(APP_ARI_PREFIX) ? value.slice(APP_ARI_PREFIX.length) : value;
  if (!UUID.test(id)) {
    throw new ManifestSourceError(`app id ${JSON.stringify(value)} is neither ${APP_ARI_PREFIX}<uuid> nor a UUID`);
  }
  return `${APP_ARI_PREFIX}${id.toLowerCase()}`;
}

function checkSources(descriptor: ConnectDescriptor, template: ForgeTemplate, connectKey: string): void {
  const problems: string[] = [];
  if (!CONNECT_KEY.test(connectKey)) problems.push(`app key ${JSON.stringify(connectKey)} must match ${CONNECT_KEY}`);
  if (descriptor.authentication?.type !== 'jwt') {
    problems.push(`atlassian-connect.json: authentication.type must be "jwt" (the only Connect-on-Forge authentication)`);
  }
  // ACE fills {{localBaseUrl}} in when it serves the descriptor; Forge fills nothing in.
  const modulesText = JSON.stringify({ lifecycle: descriptor.lifecycle, modules: descriptor.modules });
  if (modulesText.includes('{{')) {
    problems.push('atlassian-connect.json: modules and lifecycle must use paths relative to baseUrl, not {{…}} placeholders');
  }
  const keys = new Map<string, string>();
  const addKey = (key: unknown, where: string): void => {
    if (typeof key !== 'string' || !MODULE_KEY.test(key)) {
      problems.push(`${where}: module key ${JSON.stringify(key)} must match ${MODULE_KEY}`);
      return;
    }
    const seen = keys.get(key);
    if (seen) problems.push(`${where}: module key ${key} is also used by ${seen}`);
    keys.set(key, where);
  };
  addKey(LIFECYCLE_KEY, 'the lifecycle entry');
  for (const [type, entries] of Object.entries(descriptor.modules ?? {})) {
    const list = Array.isArray(entries) ? entries : [entries];
    list.forEach((entry, i) => addKey((entry as { key?: unknown } | null)?.key, `atlassian-connect.json modules.${type}[${i}]`));
  }
  addKey(template.migration.key, 'forge-template.ts migration');
  for (const job of template.scheduledJobs) {
    addKey(job.endpointKey, 'forge-template.ts scheduledJobs endpoint');
    addKey(job.triggerKey, 'forge-template.ts scheduledJobs trigger');
    if (!job.routePath.startsWith('/')) problems.push(`forge-template.ts: route path ${job.routePath} must start with /`);
  }
  if (!template.migration.migrationGuideUrl.startsWith('https://')) {
    problems.push('forge-template.ts: migration.migrationGuideUrl must be https');
  }
  if (problems.length > 0) throw new ManifestSourceError(problems.join('\n'));
}

/** The manifest as an object, keys in the order they are written. */
export function buildManifest(options: RenderOptions = {}): Record<string, unknown> {
  const descriptor = options.descriptor ?? readDescriptor();
  const template = options.template ?? forgeTemplate;
  const connectKey = options.connectKey ?? descriptor.key;
  checkSources(descriptor, template, connectKey);
  const baseUrl = checkRemoteBaseUrl(options.remoteBaseUrl ?? template.remote.baseUrl);
  const appId = checkAppId(options.appId ?? template.appId);

  const connectScopes = (descriptor.scopes ?? []).map(forgeScopeOf);
  const scopes = [...new Set([...connectScopes, ...template.remoteScopes])];

  const app: Record<string, unknown> = {
    id: appId,
    ...(descriptor.description ? { description: descriptor.description } : {}),
    runtime: { name: template.runtime },
    connect: { key: connectKey, remote: template.remote.key, authentication: 'jwt' },
  };
  const remote: Record<string, unknown> = {
    key: template.remote.key,
    baseUrl,
    operations: template.remote.operations,
    ...(template.remote.operations.includes('storage') ? { storage: { inScopeEUD: template.remote.storesEndUserData } } : {}),
  };
  const modules: Record<string, unknown> = {
    endpoint: template.scheduledJobs.map((job) => ({
      key: job.endpointKey,
      remote: template.remote.key,
      route: { path: job.routePath },
      auth: { appSystemToken: { enabled: job.appSystemToken } },
    })),
    scheduledTrigger: template.scheduledJobs.map((job) => ({
      key: job.triggerKey,
      endpoint: job.endpointKey,
      interval: job.interval,
    })),
    connectToForgeMigration: [
      {
        key: template.migration.key,
        migrationGuideUrl: template.migration.migrationGuideUrl,
        willMigrateToForgeBeforeEOS: template.migration.willMigrateToForgeBeforeEOS,
      },
    ],
  };
  if (template.scheduledJobs.length === 0) {
    delete modules.endpoint;
    delete modules.scheduledTrigger;
  }
  return {
    app,
    remotes: [remote],
    permissions: { scopes },
    connectModules: connectModulesOf(descriptor),
    modules,
  };
}

const HEADER = [
  ' Keepsake as a Connect-on-Forge app (docs/forge.md).',
  ' GENERATED by `npm run manifest` from atlassian-connect.json (key, lifecycle, modules, scopes)',
  ' and scripts/manifest/forge-template.ts (the Forge-only parts). Edit those, then run',
  ' `npm run manifest`; `npm run manifest -- --check` and test/forge/manifest.test.ts fail',
  ' while this file differs from what they give.',
];

/**
 * manifest.yml's text. With no options: the committed manifest.yml. With `remoteBaseUrl`
 * (and usually `appId`): the same manifest for a tunnel or the emulator, which a dev loop
 * writes where it runs `forge deploy` (docs/forge.md, "Development").
 */
export function renderManifest(options: RenderOptions = {}): string {
  const manifest = buildManifest(options);
  const overridden = [
    options.remoteBaseUrl !== undefined ? `remote baseUrl ${checkRemoteBaseUrl(options.remoteBaseUrl)}` : undefined,
    options.appId !== undefined ? `app id ${checkAppId(options.appId)}` : undefined,
    options.connectKey !== undefined ? `Connect key ${options.connectKey}` : undefined,
  ].filter((x): x is string => x !== undefined);
  const header =
    overridden.length > 0 ? [...HEADER, ` RENDERED for development with ${overridden.join(', ')}: not the committed manifest.`] : HEADER;
  // Written as YAML 1.1 so that strings a 1.1 reader would take for booleans (YES, NO, on…)
  // come out quoted; a YAML 1.2 reader (@forge/manifest's) reads the same values.
  const body = stringify(manifest, { version: '1.1', lineWidth: 0 });
  return `${header.map((line) => `#${line}`).join('\n')}\n${body}`;
}
