// A Forge manifest (manifest.yml) as `forge deploy` + `forge install` hand it to Confluence:
// read as YAML, validated with Atlassian's own @forge/manifest (the full client-side schema and
// validators, as `forge lint` runs them offline), then read for what the emulated site needs:
// the Connect part (app.connect, remotes, connectModules, Connect scopes in Forge spelling) as
// the descriptor a UPM install would have had, the Forge OAuth scopes, endpoints and
// scheduled triggers. Sources: docs/platform-facts.md §6 (Connect on Forge, Forge Remote).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate } from '@forge/manifest';
import { parseDocument } from 'yaml';
import { checkDescriptor, type ValidDescriptor } from '../install/descriptor';
import type { JsonObject } from '../site';

/** A manifest the emulator cannot install; the message names every problem. */
export class ManifestError extends Error {}

export const APP_ARI_PREFIX = 'ari:cloud:ecosystem::app/';
export const INSTALLATION_ARI_PREFIX = 'ari:cloud:ecosystem::installation/';

/** Connect scopes in Forge spelling (docs/platform-facts.md §6 (Connect on Forge), `shipyard-scopes.json`). */
const CONNECT_SCOPES: Record<string, string> = {
  'read:connect-confluence': 'READ',
  'write:connect-confluence': 'WRITE',
  'delete:connect-confluence': 'DELETE',
  'space-admin:connect-confluence': 'SPACE_ADMIN',
  'admin:connect-confluence': 'ADMIN',
  'act-as-user:connect-confluence': 'ACT_AS_USER',
  'access-email-addresses:connect-confluence': 'ACCESS_EMAIL_ADDRESSES',
};

/** The scopes that only ask for the remote tokens themselves. */
export const REMOTE_TOKEN_SCOPES = ['read:app-system-token', 'read:app-user-token'];

export interface ForgeEndpoint {
  key: string;
  remote: string;
  path: string;
  appSystemToken: boolean;
  appUserToken: boolean;
}

export interface ScheduledTrigger {
  key: string;
  /** The endpoint it invokes; absent for a trigger that runs a Forge function. */
  endpoint?: string;
  interval?: string;
}

/** What the emulated site reads from an installed manifest. */
export interface ForgeApp {
  appId: string;
  connectKey: string;
  /** Every scope of permissions.scopes, Connect ones included, as written. */
  scopes: string[];
  /** permissions.scopes without the Connect ones: what Forge tokens may do. */
  oauthScopes: string[];
  remotes: Map<string, { baseUrl: string }>;
  endpoints: Map<string, ForgeEndpoint>;
  scheduledTriggers: Map<string, ScheduledTrigger>;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function list(v: unknown): JsonObject[] {
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter(isObject);
}

/** A remote's baseUrl: a string, or a per-region map whose `default` is used here. */
function remoteBaseUrl(remote: JsonObject): string | undefined {
  const baseUrl = remote.baseUrl;
  if (typeof baseUrl === 'string') return baseUrl;
  if (isObject(baseUrl) && typeof baseUrl.default === 'string') return baseUrl.default;
  return undefined;
}

/** permissions.scopes is a list of names (or, in older manifests, an object keyed by them). */
function scopesOf(manifest: JsonObject): string[] {
  const scopes = isObject(manifest.permissions) ? manifest.permissions.scopes : undefined;
  if (Array.isArray(scopes)) return scopes.filter((s): s is string => typeof s === 'string');
  return isObject(scopes) ? Object.keys(scopes) : [];
}

/** Reads an installed (already validated) manifest. */
export function readForgeApp(manifest: JsonObject): ForgeApp {
  const app = isObject(manifest.app) ? manifest.app : {};
  const connect = isObject(app.connect) ? app.connect : {};
  const modules = isObject(manifest.modules) ? manifest.modules : {};
  const scopes = scopesOf(manifest);
  const remotes = new Map<string, { baseUrl: string }>();
  for (const remote of list(manifest.remotes)) {
    const baseUrl = remoteBaseUrl(remote);
    if (typeof remote.key === 'string' && baseUrl !== undefined) remotes.set(remote.key, { baseUrl: baseUrl.replace(/\/+$/, '') });
  }
  const endpoints = new Map<string, ForgeEndpoint>();
  for (const e of list(modules.endpoint)) {
    if (typeof e.key !== 'string') continue;
    const auth = isObject(e.auth) ? e.auth : {};
    const enabled = (token: unknown): boolean => isObject(token) && token.enabled === true;
    const route = isObject(e.route) ? e.route : {};
    endpoints.set(e.key, {
      key: e.key,
      remote: String(e.remote ?? ''),
      path: typeof route.path === 'string' ? route.path : '',
      appSystemToken: enabled(auth.appSystemToken),
      appUserToken: enabled(auth.appUserToken),
    });
  }
  const scheduledTriggers = new Map<string, ScheduledTrigger>();
  for (const t of list(modules.scheduledTrigger)) {
    if (typeof t.key !== 'string') continue;
    scheduledTriggers.set(t.key, {
      key: t.key,
      endpoint: typeof t.endpoint === 'string' ? t.endpoint : undefined,
      interval: typeof t.interval === 'string' ? t.interval : undefined,
    });
  }
  return {
    appId: String(app.id ?? ''),
    connectKey: String(connect.key ?? ''),
    scopes,
    oauthScopes: scopes.filter((s) => !(s in CONNECT_SCOPES)),
    remotes,
    endpoints,
    scheduledTriggers,
  };
}

/** Parses the YAML text; a syntax error or a non-object is a ManifestError. */
export function parseManifestYaml(text: string): JsonObject {
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ManifestError(`The manifest is not valid YAML: ${doc.errors.map((e) => e.message.split('\n')[0]).join('; ')}`);
  }
  const value: unknown = doc.toJSON();
  if (!isObject(value)) throw new ManifestError('The manifest must be a YAML mapping with at least an app section');
  return value;
}

/**
 * Validates with @forge/manifest's `validate()`, the full client-side schema and validators
 * (it reads a file, so the text goes to a temporary manifest.yml first).
 */
export async function validateWithForgeManifest(text: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'emulator-forge-manifest-'));
  try {
    const file = join(dir, 'manifest.yml');
    await writeFile(file, text, { mode: 0o600 });
    const result = await validate(false, file);
    if (result.success) return;
    const errors = (result.errors ?? []).filter((e) => e.level === 'error');
    const shown = (errors.length > 0 ? errors : (result.errors ?? [])).map((e) => `${e.message}${e.line ? ` (line ${e.line})` : ''}`);
    throw new ManifestError(`@forge/manifest refuses the manifest: ${shown.join('; ') || 'no reason given'}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Checks that are the emulator's own: what a Connect-on-Forge install on this site needs. */
function connectOnForgeDescriptor(manifest: JsonObject, name: string | undefined): ValidDescriptor {
  const app = isObject(manifest.app) ? manifest.app : {};
  const connect = isObject(app.connect) ? app.connect : undefined;
  const errors: string[] = [];
  if (typeof app.id !== 'string' || !app.id.startsWith(APP_ARI_PREFIX)) {
    errors.push(`app.id: expected ${APP_ARI_PREFIX}<uuid>, got ${JSON.stringify(app.id)}`);
  }
  if (!connect || typeof connect.key !== 'string') {
    throw new ManifestError(
      'app.connect.key: the emulator installs Connect-on-Forge apps, which keep their Connect key; this manifest has none',
    );
  }
  const connectModules = isObject(manifest.connectModules) ? manifest.connectModules : {};
  const remoteKey = typeof connect.remote === 'string' ? connect.remote : undefined;
  const remote = list(manifest.remotes).find((r) => r.key === remoteKey);
  const baseUrl = remote ? remoteBaseUrl(remote) : undefined;
  if (Object.keys(connectModules).length > 0 && !baseUrl) {
    errors.push(
      `app.connect.remote: the remote ${JSON.stringify(remoteKey)} must be in remotes[] with a baseUrl (the Connect app's baseUrl)`,
    );
  }
  const lifecycle = list(connectModules['confluence:lifecycle'])[0] ?? {};
  const modules: JsonObject = {};
  for (const [type, entries] of Object.entries(connectModules)) {
    if (type === 'confluence:lifecycle' || !type.startsWith('confluence:')) continue;
    modules[type.slice('confluence:'.length)] = entries;
  }
  const scopes = scopesOf(manifest).flatMap((s) => (s in CONNECT_SCOPES ? [CONNECT_SCOPES[s]] : []));
  // `enabled` and `disabled` are never sent to a Connect-on-Forge app, so only these two count.
  const descriptorLifecycle: JsonObject = {};
  if (typeof lifecycle.installed === 'string') descriptorLifecycle.installed = lifecycle.installed;
  if (typeof lifecycle.uninstalled === 'string') descriptorLifecycle.uninstalled = lifecycle.uninstalled;
  const descriptor: JsonObject = {
    key: connect.key,
    name: name ?? connect.key,
    baseUrl: baseUrl ?? 'http://localhost/',
    authentication: { type: Object.keys(connectModules).length > 0 ? 'jwt' : 'none' },
    ...(Object.keys(descriptorLifecycle).length > 0 ? { lifecycle: descriptorLifecycle } : {}),
    scopes,
    modules,
  };
  const checked = checkDescriptor(descriptor);
  if (!checked.ok) {
    // Name the manifest's fields, not the descriptor's.
    for (const e of checked.errors) {
      errors.push(
        e
          .replace(/^modules\./, 'connectModules.confluence:')
          .replace(/^lifecycle\./, 'connectModules.confluence:lifecycle[0].')
          .replace(/^key:/, 'app.connect.key (the Connect key, at most 64 characters):')
          .replace(/^baseUrl:/, `remotes[${remoteKey}].baseUrl:`),
      );
    }
  }
  if (errors.length > 0) throw new ManifestError(`The manifest cannot be installed: ${errors.join('; ')}`);
  if (!checked.ok) throw new ManifestError('unreachable');
  return checked.descriptor;
}

export interface ReadManifest {
  manifest: JsonObject;
  forgeApp: ForgeApp;
  /** The Connect part as the descriptor a UPM install would have had (modules, lifecycle, scopes). */
  descriptor: ValidDescriptor;
}

/** YAML → @forge/manifest → the emulator's own checks. */
export async function readManifestText(text: string, name?: string): Promise<ReadManifest> {
  const manifest = parseManifestYaml(text);
  await validateWithForgeManifest(text);
  const descriptor = connectOnForgeDescriptor(manifest, name);
  return { manifest, forgeApp: readForgeApp(manifest), descriptor };
}

// ---------------------------------------------------------------------------------------------
// Major or minor: https://developer.atlassian.com/platform/forge/versions/ ("Major version
// upgrades") and https://developer.atlassian.com/platform/forge/manifest-reference/remotes/.

function jsonSet(items: unknown[]): Set<string> {
  return new Set(items.map((i) => JSON.stringify(i)));
}

function added(before: unknown[], after: unknown[]): unknown[] {
  const old = jsonSet(before);
  return after.filter((i) => !old.has(JSON.stringify(i)));
}

function permissionList(manifest: JsonObject, path: string[]): unknown[] {
  let v: unknown = manifest.permissions;
  for (const p of path) v = isObject(v) ? v[p] : undefined;
  if (Array.isArray(v)) return v as unknown[];
  if (isObject(v)) return Object.entries(v).flatMap(([k, x]) => (Array.isArray(x) ? x.map((i) => ({ [k]: i as unknown })) : [{ [k]: x }]));
  return [];
}

function regionUrls(remote: JsonObject): string[] {
  const b = remote.baseUrl;
  if (typeof b === 'string') return [b];
  return isObject(b) ? Object.values(b).filter((u): u is string => typeof u === 'string') : [];
}

/** The reasons a new manifest is a major version of the installed one (empty: minor). */
export function majorChanges(installed: JsonObject, next: JsonObject): string[] {
  const reasons: string[] = [];
  const scopesBefore = new Set(scopesOf(installed));
  const scopesAfter = new Set(scopesOf(next));
  const scopeDiff = [...scopesAfter].filter((s) => !scopesBefore.has(s)).map((s) => `+${s}`);
  scopeDiff.push(...[...scopesBefore].filter((s) => !scopesAfter.has(s)).map((s) => `-${s}`));
  if (scopeDiff.length > 0) reasons.push(`permissions.scopes changed (${scopeDiff.join(', ')})`);
  for (const section of [['content'], ['external']]) {
    const more = added(permissionList(installed, section), permissionList(next, section));
    if (more.length > 0) reasons.push(`permissions.${section.join('.')} adds ${more.map((m) => JSON.stringify(m)).join(', ')}`);
  }
  const remotesBefore = new Map(list(installed.remotes).map((r) => [String(r.key), r]));
  for (const remote of list(next.remotes)) {
    const before = remotesBefore.get(String(remote.key));
    if (!before) {
      reasons.push(`remotes adds ${String(remote.key)}`);
      continue;
    }
    const oldUrls = new Set(regionUrls(before));
    const newUrls = regionUrls(remote).filter((u) => !oldUrls.has(u));
    if (newUrls.length > 0) reasons.push(`remotes[${String(remote.key)}].baseUrl changes to ${newUrls.join(', ')}`);
    const eud = (r: JsonObject): boolean => isObject(r.storage) && r.storage.inScopeEUD === true;
    if (!eud(before) && eud(remote)) reasons.push(`remotes[${String(remote.key)}].storage.inScopeEUD becomes true`);
    if (before.configurable === undefined && remote.configurable !== undefined)
      reasons.push(`remotes[${String(remote.key)}] becomes configurable`);
  }
  const providers = (m: JsonObject): string => JSON.stringify(m.providers ?? null);
  if (providers(installed) !== providers(next)) reasons.push('providers changed');
  return reasons;
}
