// A whole Keepsake stack for tests: the Confluence emulator, Keepsake on sqlite or Postgres,
// Keepsake installed into the emulator the way Confluence installs apps, and helpers that call
// Keepsake's API as a given user (with the context token that user's iframe would get).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type EmulatorSettings, type RunningSite } from '../../emulator';
import type { Logger } from '../../lib/logger';
import { loadSettings, type Settings } from '../../lib/settings';
import { renderManifest } from '../../scripts/manifest/generate';
import { startServer, type RunningKeepsake } from '../../server';
import { createDatabase, dropDatabase } from './postgres-database';

export type Emulator = Awaited<ReturnType<typeof startEmulator>>;
export type StoreKind = 'sqlite' | 'postgres';

export const APP_KEY = 'keepsake';
/** The Forge app id tests install Keepsake under (the way Forge's `forge register` would name it). */
export const FORGE_APP_ID = 'ari:cloud:ecosystem::app/6b656570-7361-4b65-8000-00000000f0e9';

/** sqlite always; Postgres too when DATABASE_URL is set (as .ci/run does). */
export function storeKinds(): StoreKind[] {
  return process.env.DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

export interface Reply<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface Stack {
  emulator: Emulator;
  keepsake: RunningKeepsake;
  clientKey: string;
  settings: Settings;
  /** Calls Keepsake's API as that user, with their iframe's context token. */
  api<T = unknown>(accountId: string, method: string, path: string, body?: unknown): Promise<Reply<T>>;
  /** Calls the emulator's control API. */
  control<T = unknown>(method: string, path: string, body?: unknown): Promise<Reply<T>>;
  contextToken(accountId: string): Promise<string>;
  /** What AP.request from that user's Keepsake iframe would get (path relative to /wiki). */
  apRequest<T = unknown>(accountId: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: T }>;
  close(): Promise<void>;
}

export interface StackOptions {
  store?: StoreKind;
  emulator?: Emulator;
  emulatorSettings?: Partial<EmulatorSettings>;
  settings?: Partial<Settings>;
  /**
   * How Keepsake is installed: through UPM from its descriptor URL (Connect, the default), or
   * the Forge way, from manifest.yml rendered with Keepsake's local URL as the remote (Connect
   * on Forge; docs/forge.md); false skips installing (for tests of the install itself).
   */
  install?: boolean | 'connect' | 'forge';
  /** Keepsake's logger (default: silent). */
  logger?: Logger;
}

export function keepsakeSettings(emulator: Emulator, overrides: Partial<Settings> = {}): Settings {
  const base = loadSettings({});
  return {
    ...base,
    PORT: 0,
    LOG_LEVEL: 'silent',
    SQLITE_PATH: join(mkdtempSync(join(tmpdir(), 'keepsake-test-')), 'keepsake.sqlite'),
    DATABASE_URL: undefined,
    KEEPSAKE_OAUTH_SERVER_URL: emulator.oauthServerUrl,
    KEEPSAKE_CONFLUENCE_TIMEOUT_MS: 2000,
    KEEPSAKE_MAX_RETRY_WAIT_SECONDS: 1,
    ...overrides,
  };
}

export async function request<T>(url: string, method: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
  const response = await fetch(url, {
    method,
    headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed as T };
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const store = options.store ?? 'sqlite';
  const ownEmulator = !options.emulator;
  const emulator = options.emulator ?? (await startEmulator({ port: 0, settings: options.emulatorSettings ?? {} }));
  process.env.CONNECT_KEYS_CDN_URL = emulator.keysUrl;
  const forge =
    options.install === 'forge'
      ? { KEEPSAKE_FORGE_APP_ID: FORGE_APP_ID, KEEPSAKE_FORGE_JWKS_URL: `${emulator.baseUrl}/_emulator/forge/jwks` }
      : {};
  // A Postgres stack gets a database of its own unless the test names one.
  const ownDatabase = store === 'postgres' && !options.settings?.DATABASE_URL ? await createDatabase() : undefined;
  const settings = keepsakeSettings(emulator, { ...forge, DATABASE_URL: ownDatabase, ...options.settings });
  const keepsake = await startServer(settings, options.logger);
  const control = <T>(method: string, path: string, body?: unknown) => request<T>(`${emulator.baseUrl}/_emulator${path}`, method, body);
  let clientKey = '';
  if (options.install === 'forge') {
    const installed = await control('POST', '/forge/installations', {
      manifest: renderManifest({ remoteBaseUrl: keepsake.url, appId: FORGE_APP_ID }),
    });
    if (installed.status !== 201)
      throw new Error(`Keepsake did not install the Forge way: ${installed.status} ${JSON.stringify(installed.body)}`);
    const app = await control<{ clientKey: string }>('GET', `/apps/${APP_KEY}`);
    clientKey = app.body.clientKey;
  } else if (options.install !== false) {
    const installed = await control<{ clientKey: string; message?: string }>('POST', '/apps', {
      descriptorUrl: `${keepsake.url}/atlassian-connect.json`,
    });
    if (installed.status !== 201) throw new Error(`Keepsake did not install: ${installed.status} ${JSON.stringify(installed.body)}`);
    clientKey = installed.body.clientKey;
  }
  const contextToken = async (accountId: string) => {
    const reply = await control<{ token: string }>('POST', '/context-token', { appKey: APP_KEY, accountId });
    if (reply.status !== 200) throw new Error(`No context token for ${accountId}: ${JSON.stringify(reply.body)}`);
    return reply.body.token;
  };
  return {
    emulator,
    keepsake,
    clientKey,
    settings,
    control,
    contextToken,
    async api<T>(accountId: string, method: string, path: string, body?: unknown) {
      const token = await contextToken(accountId);
      return request<T>(`${keepsake.url}${path}`, method, body, { Authorization: `JWT ${token}` });
    },
    async apRequest<T>(accountId: string, method: string, path: string, body?: unknown) {
      const reply = await control<{ status: number; json: T }>('POST', '/ap-request', {
        appKey: APP_KEY,
        accountId,
        method,
        path,
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      if (reply.status !== 200) throw new Error(`ap-request failed: ${reply.status} ${JSON.stringify(reply.body)}`);
      return { status: reply.body.status, json: reply.body.json };
    },
    async close() {
      await keepsake.close();
      if (ownEmulator) await emulator.close();
      if (ownDatabase) await dropDatabase(ownDatabase);
    },
  };
}

/** Keepsake as installed into one more site of the emulator: the helpers of a Stack, bound to that site. */
export interface SiteInstall {
  site: RunningSite;
  clientKey: string;
  /** Calls Keepsake's API as that user of this site, with their iframe's context token. */
  api<T = unknown>(accountId: string, method: string, path: string, body?: unknown): Promise<Reply<T>>;
  /** Calls this site's control API. */
  control<T = unknown>(method: string, path: string, body?: unknown): Promise<Reply<T>>;
  contextToken(accountId: string): Promise<string>;
  /** What AP.request from that user's Keepsake iframe on this site would get (path relative to /wiki). */
  apRequest<T = unknown>(accountId: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: T }>;
}

/**
 * Installs a running Keepsake into a site of the emulator (one from `emulator.addSite()`, or the
 * first), through that site's UPM path, as a site admin would: one Keepsake, many tenants.
 */
export async function installIntoSite(keepsake: RunningKeepsake, site: RunningSite): Promise<SiteInstall> {
  const control = <T>(method: string, path: string, body?: unknown) => request<T>(`${site.baseUrl}/_emulator${path}`, method, body);
  const installed = await control<{ clientKey: string }>('POST', '/apps', { descriptorUrl: `${keepsake.url}/atlassian-connect.json` });
  if (installed.status !== 201)
    throw new Error(`Keepsake did not install into ${site.id}: ${installed.status} ${JSON.stringify(installed.body)}`);
  const contextToken = async (accountId: string) => {
    const reply = await control<{ token: string }>('POST', '/context-token', { appKey: APP_KEY, accountId });
    if (reply.status !== 200) throw new Error(`No context token for ${accountId} on ${site.id}: ${JSON.stringify(reply.body)}`);
    return reply.body.token;
  };
  return {
    site,
    clientKey: installed.body.clientKey,
    control,
    contextToken,
    async api<T>(accountId: string, method: string, path: string, body?: unknown) {
      return request<T>(`${keepsake.url}${path}`, method, body, { Authorization: `JWT ${await contextToken(accountId)}` });
    },
    async apRequest<T>(accountId: string, method: string, path: string, body?: unknown) {
      const reply = await control<{ status: number; json: T }>('POST', '/ap-request', {
        appKey: APP_KEY,
        accountId,
        method,
        path,
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      if (reply.status !== 200) throw new Error(`ap-request on ${site.id} failed: ${reply.status} ${JSON.stringify(reply.body)}`);
      return { status: reply.body.status, json: reply.body.json };
    },
  };
}
