// A small atlassian-connect-express (ACE 11.5.3) app for the emulator conformance suite
// (test/emulator). The point of the suite is that the client side is ACE itself, unmodified:
// the app installs through ACE's own `addon.register()` (the UPM REST flow), ACE verifies the
// RS256-signed `installed` hook against CONNECT_KEYS_CDN_URL, and every REST call goes out
// through `addon.httpClient(...)` (JWT as the app, or `asUserByAccountId` with a Bearer
// token from the emulator's OAuth 2.0 JWT-bearer endpoint).
//
// The one seam we touch is the one docs/platform-facts.md §10 names: ACE hard-codes the OAuth
// token server, so `OAuth2.prototype.getAuthorizationServer` is wrapped (by Keepsake's own
// platform/connect/oauth-server.ts) to answer the emulator's `oauthServerUrl` for sites
// registered with `registerOAuthServer()`.
//
// Also here: a typed promise wrapper around ACE's callback-style httpClient (ACE resolves its
// promise to the `request` object, the response only reaches the callback), a direct UPM
// client (for descriptors ACE itself would refuse to serve), a client for the emulator's
// control API, and a signer for hand-made (broken) JWTs.

import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import ace from 'atlassian-connect-express';
import * as jwt from 'atlassian-jwt';
import { routeOAuthServer } from '../../platform/connect/oauth-server';

export type AddOn = ace.AddOn;
export type HostClient = ace.HostClient;
export type ClientInfo = ace.ClientInfo;
export type Descriptor = Record<string, unknown>;

export const FIXTURE_DIR = path.resolve(__dirname, '..', 'fixtures', 'ace-test-app');
const DESCRIPTOR_FILE = path.join(FIXTURE_DIR, 'atlassian-connect.json');
const CONFIG_FILE = path.join(FIXTURE_DIR, 'config.json');

/** Safety net for calls that would otherwise hang (ACE has no timeouts). Not an assertion. */
const CALL_TIMEOUT_MS = 15_000;

// ---------------------------------------------------------------------------------------------
// The OAuth seam: ACE's token server URL is hard-coded in lib/internal/oauth2.js.

const oauthServers = new Map<string, string>();
let restoreOAuthServer: (() => void) | undefined;

function siteKey(url: string): string {
  return url.replace(/\/+$/, '');
}

function installOAuthSeam(): void {
  restoreOAuthServer ??= routeOAuthServer((hostBaseUrl) => oauthServers.get(siteKey(hostBaseUrl)));
}

/** Undo the seam once no emulator needs it, so other code that points ACE elsewhere is not captured. */
function uninstallOAuthSeamIfUnused(): void {
  if (!restoreOAuthServer || oauthServers.size > 0) return;
  restoreOAuthServer();
  restoreOAuthServer = undefined;
}

/** Route ACE's `asUserByAccountId` token requests for `siteUrl` to the emulator's token server. */
export function registerOAuthServer(siteUrl: string, oauthServerUrl: string): () => void {
  installOAuthSeam();
  const key = siteKey(siteUrl);
  oauthServers.set(key, oauthServerUrl);
  return () => {
    if (oauthServers.get(key) === oauthServerUrl) oauthServers.delete(key);
    uninstallOAuthSeamIfUnused();
  };
}

// ---------------------------------------------------------------------------------------------
// Logging: ACE logs through the logger it is given; capture instead of printing (ACE logs the
// install payload, sharedSecret included, outside production).

export interface LogLine {
  level: 'info' | 'warn' | 'error' | 'debug';
  text: string;
}

function captureLogger(lines: LogLine[]): Console {
  const echo = process.env.ACE_TEST_LOG === '1';
  const at =
    (level: LogLine['level']) =>
    (...args: unknown[]): void => {
      const text = args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? (a.stack ?? a.message) : safeJson(a))).join(' ');
      lines.push({ level, text });
      if (echo) process.stderr.write(`[ace ${level}] ${text}\n`);
    };
  return { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug'), log: at('info') } as unknown as Console;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

// ---------------------------------------------------------------------------------------------
// The test app.

/** The documented fields of the install payload (docs/platform-facts.md, "The install lifecycle"). */
export const INSTALL_PAYLOAD_FIELDS = [
  'key',
  'clientKey',
  'sharedSecret',
  'baseUrl',
  'displayUrl',
  'productType',
  'description',
  'serverVersion',
  'pluginsVersion',
  'oauthClientId',
  'eventType',
] as const;

export interface LifecycleCall {
  path: string;
  /** JWT header `alg` of the token on the request (RS256 for signed install). */
  alg: string | undefined;
  kid: string | undefined;
  /** Claims of the token, decoded without verification. */
  claims: Record<string, unknown> | undefined;
  body: Record<string, unknown>;
  /** Status the app answered (204 when ACE verified the request). */
  status?: number;
}

export interface AceTestAppOptions {
  /** App key (descriptor `key`); default from the fixture. */
  key?: string;
  name?: string;
  /** Descriptor scopes; default from the fixture (READ, WRITE, ACT_AS_USER). */
  scopes?: string[];
  /** ACE config `hosts`: the emulator's `registrationUrl`. */
  hosts: string[];
  /** Last word on the descriptor the app serves. */
  transformDescriptor?: (d: Descriptor) => Descriptor;
}

export interface AceTestApp {
  addon: AddOn;
  app: express.Express;
  /** http://localhost:PORT */
  baseUrl: string;
  key: string;
  descriptor: Descriptor;
  /** URL the emulator fetches the descriptor from. */
  descriptorUrl: string;
  logs: LogLine[];
  lifecycle: LifecycleCall[];
  /** `addon.register()` with a guard (it never settles if no host answers). True if ACE counted it registered. */
  register(): Promise<boolean>;
  /** `addon.deregister()` (UPM DELETE /rest/plugins/1.0/{key}-key). */
  deregister(): Promise<void>;
  /** The clientInfo ACE saved for the (single) installation, or undefined. */
  clientInfo(): Promise<ClientInfo | undefined>;
  close(): Promise<void>;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function decodeUnverified(token: string): { alg?: string; kid?: string; claims?: Record<string, unknown> } {
  const parts = token.split('.');
  if (parts.length !== 3) return {};
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as { alg?: string; kid?: string };
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
    return { alg: header.alg, kid: header.kid, claims };
  } catch {
    return {};
  }
}

export function decodeJwtUnverified(token: string): Record<string, unknown> {
  return decodeUnverified(token).claims ?? {};
}

function tokenOf(req: express.Request): string | undefined {
  const q = req.query.jwt;
  if (typeof q === 'string') return q;
  const h = req.headers.authorization;
  if (h && h.startsWith('JWT ')) return h.slice(4);
  return undefined;
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // No host: dual-stack, so `localhost` works whether it resolves to ::1 or 127.0.0.1.
    server.listen(0, () => resolve((server.address() as AddressInfo).port));
  });
}

export function withTimeout<T>(p: Promise<T>, what: string, ms = CALL_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([p, guard]).finally(() => clearTimeout(timer));
}

/**
 * Start an ACE app on a free port. It is configured with a descriptorTransformer (so several
 * apps with different keys and scopes can run in one process), an in-memory sqlite store with
 * logging off, `watch: false`, and the emulator's registration URL in `hosts`.
 */
export async function startAceTestApp(opts: AceTestAppOptions): Promise<AceTestApp> {
  const app = express();
  // Body parsers before ACE (docs/platform-facts.md §10).
  app.use(express.json({ limit: '1mb' }));
  app.use(express.urlencoded({ extended: false }));
  const server = http.createServer(app);
  const port = await listen(server);
  const baseUrl = `http://localhost:${port}`;

  const template = JSON.parse(fs.readFileSync(DESCRIPTOR_FILE, 'utf8').split('{{localBaseUrl}}').join(baseUrl)) as Descriptor;
  let descriptor: Descriptor = clone(template);
  if (opts.key) descriptor.key = opts.key;
  if (opts.name) descriptor.name = opts.name;
  if (opts.scopes) descriptor.scopes = [...opts.scopes];
  if (opts.transformDescriptor) descriptor = opts.transformDescriptor(descriptor);
  const finalDescriptor = descriptor;

  const rel = path.relative(process.cwd(), DESCRIPTOR_FILE);
  const descriptorFilename = rel.startsWith('..') ? DESCRIPTOR_FILE : rel;

  const logs: LogLine[] = [];
  const lifecycle: LifecycleCall[] = [];

  const rejectionListenersBefore = process.listeners('unhandledRejection');
  const config = {
    product: 'confluence',
    descriptorTransformer: () => clone(finalDescriptor),
    development: {
      product: 'confluence',
      port: String(port),
      localBaseUrl: baseUrl,
      hosts: [...opts.hosts],
      watch: false,
      validateDescriptor: false,
      store: { adapter: 'sequelize', dialect: 'sqlite', storage: ':memory:', logging: false },
    },
  };
  let addon!: AddOn;
  await new Promise<void>((resolve) => {
    addon = ace(
      app,
      { config } as unknown as ace.Options,
      captureLogger(logs),
      { descriptorFilename, configFileName: CONFIG_FILE },
      resolve,
    );
    // Routes mounted here come before ACE's own /installed (mounted on the next tick).
    app.use(addon.middleware());
    const record = (req: express.Request, res: express.Response, next: express.NextFunction): void => {
      const token = tokenOf(req);
      const decoded = token ? decodeUnverified(token) : {};
      const entry: LifecycleCall = {
        path: req.path,
        alg: decoded.alg,
        kid: decoded.kid,
        claims: decoded.claims,
        body: (req.body ?? {}) as Record<string, unknown>,
      };
      lifecycle.push(entry);
      res.on('finish', () => {
        entry.status = res.statusCode;
      });
      next();
    };
    app.post('/installed', record);
    app.post('/uninstalled', record, addon.authenticateInstall(), (_req, res) => {
      res.status(204).end();
    });
    // A route that accepts a context JWT the way an app's API route does
    // (`checkValidToken()` = `authenticate(true)`, which skips the qsh check).
    app.get('/context-check', addon.checkValidToken(), (req, res) => {
      const token = tokenOf(req);
      res.json({
        clientKey: res.locals.clientKey as unknown,
        userAccountId: res.locals.userAccountId as unknown,
        claims: token ? decodeJwtUnverified(token) : null,
      });
    });
    app.get('/strict-check', addon.authenticate(), (_req, res) => {
      res.json({ clientKey: res.locals.clientKey as unknown });
    });
  });
  // The sequelize store creates its tables asynchronously; wait so that close() never races it.
  const store = addon.settings as unknown as Partial<
    Record<'connectionPromise' | 'installationMappingPromise' | 'forgeSettingsPromise', Promise<unknown>>
  >;
  await Promise.all([store.connectionPromise, store.installationMappingPromise, store.forgeSettingsPromise]);
  const aceRejectionListeners = process.listeners('unhandledRejection').filter((l) => !rejectionListenersBefore.includes(l));

  const hostSignals = ['SIGTERM', 'SIGINT', 'SIGUSR2'] as const;
  const signalListenersAdded: Array<[NodeJS.Signals, (...args: unknown[]) => void]> = [];

  const internals = addon as unknown as { _registrations?: Record<string, boolean> };

  return {
    addon,
    app,
    baseUrl,
    key: String(finalDescriptor.key),
    descriptor: finalDescriptor,
    descriptorUrl: `${baseUrl}/${descriptorFilename.split(path.sep).join('/').replace(/^\/+/, '')}`,
    logs,
    lifecycle,
    async register() {
      const before = new Map(hostSignals.map((s) => [s, process.listeners(s)]));
      try {
        await withTimeout(addon.register(), 'addon.register()');
      } finally {
        for (const s of hostSignals) {
          for (const l of process.listeners(s)) {
            if (!(before.get(s) ?? []).includes(l)) signalListenersAdded.push([s, l as (...args: unknown[]) => void]);
          }
        }
      }
      return opts.hosts.every((h) => internals._registrations?.[h] === true);
    },
    async deregister() {
      await withTimeout(addon.deregister(), 'addon.deregister()');
    },
    async clientInfo() {
      const infos = await addon.settings.getAllClientInfos();
      return infos[0];
    },
    async close() {
      for (const [s, l] of signalListenersAdded) process.removeListener(s, l);
      for (const l of aceRejectionListeners) process.removeListener('unhandledRejection', l as (...args: unknown[]) => void);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await addon.schema.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// A typed promise wrapper around ACE's httpClient.

export type HttpMethod = 'get' | 'post' | 'put' | 'del';

export interface HostResponse<T = unknown> {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON when the body is JSON, else the text ('' for no body). */
  body: T;
  text: string;
}

export interface HostCallOptions {
  /** A JSON-serialisable body, sent as application/json. */
  json?: unknown;
  /** A raw body, sent as is (with Content-Type application/json unless `contentType`). */
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/**
 * Call through an ACE HostClient and resolve with the response. ACE signs the request (JWT
 * with the stored sharedSecret, or a Bearer token for `asUserByAccountId`) and resolves the
 * relative URL against the stored baseUrl (…/wiki).
 */
export function hostCall<T = unknown>(
  client: HostClient,
  method: HttpMethod,
  url: string,
  o: HostCallOptions = {},
): Promise<HostResponse<T>> {
  const headers: Record<string, string> = { Accept: 'application/json', ...(o.headers ?? {}) };
  const options: Record<string, unknown> = { url, headers };
  if (o.json !== undefined || o.raw !== undefined) {
    options.body = o.raw !== undefined ? o.raw : JSON.stringify(o.json);
    headers['Content-Type'] = o.contentType ?? 'application/json';
  }
  const p = new Promise<HostResponse<T>>((resolve, reject) => {
    const callback = (err: unknown, res: http.IncomingMessage | undefined, body: unknown): void => {
      if (err || !res) {
        reject(
          err instanceof Error
            ? err
            : new Error(`ACE httpClient.${method} ${url} failed: ${typeof err === 'string' ? err : safeJson(err)}`),
        );
        return;
      }
      const text =
        typeof body === 'string'
          ? body
          : body === undefined || body === null
            ? ''
            : Buffer.isBuffer(body)
              ? body.toString('utf8')
              : safeJson(body);
      let parsed: unknown = text;
      if (text.length > 0) {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = text;
        }
      }
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed as T, text });
    };
    const fn = client[method] as unknown as (opts: unknown, cb: typeof callback) => Promise<unknown>;
    Promise.resolve(fn.call(client, options, callback)).catch((e: unknown) => reject(e instanceof Error ? e : new Error(String(e))));
  });
  return withTimeout(p, `ACE httpClient.${method} ${url}`);
}

/** `addon.httpClient({clientKey})`, or as a user with `userAccountId`. */
export function clientFor(addon: AddOn, clientKey: string, userAccountId?: string): HostClient {
  return userAccountId ? addon.httpClient({ clientKey, userAccountId }) : addon.httpClient({ clientKey });
}

// ---------------------------------------------------------------------------------------------
// The emulator's control API, and raw HTTP for requests ACE would never send.

export interface RawResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function rawRequest<T = unknown>(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse<T>> {
  const res = await withTimeout(
    fetch(url, { method: init.method ?? 'GET', headers: init.headers, body: init.body, redirect: 'manual' }),
    `${init.method ?? 'GET'} ${url}`,
  );
  const text = await res.text();
  let body: unknown = text;
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return { status: res.status, headers: res.headers, body: body as T, text };
}

export class EmulatorControl {
  constructor(private readonly baseUrl: string) {}

  private url(p: string): string {
    return `${this.baseUrl}/_emulator/${p.replace(/^\/+/, '')}`;
  }

  get<T = unknown>(p: string): Promise<RawResponse<T>> {
    return rawRequest<T>(this.url(p));
  }

  post<T = unknown>(p: string, body: unknown = {}): Promise<RawResponse<T>> {
    return rawRequest<T>(this.url(p), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  }

  put<T = unknown>(p: string, body: unknown): Promise<RawResponse<T>> {
    return rawRequest<T>(this.url(p), { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  }

  del<T = unknown>(p: string): Promise<RawResponse<T>> {
    return rawRequest<T>(this.url(p), { method: 'DELETE' });
  }

  /** Body of a control call that must succeed. */
  async ok<T = unknown>(call: Promise<RawResponse<T>>, what: string): Promise<T> {
    const res = await call;
    if (res.status < 200 || res.status > 299) throw new Error(`${what}: control API answered ${res.status} ${res.text}`);
    return res.body;
  }
}

// ---------------------------------------------------------------------------------------------
// Hand-made JWTs (for the negative authentication cases).

export interface AppJwtOptions {
  iss: string;
  secret: string;
  method: string;
  /** Path relative to the site's /wiki, as hashed in qsh, e.g. /rest/api/user/current. */
  path: string;
  query?: Record<string, string | string[]>;
  iat?: number;
  exp?: number;
  qsh?: string;
  aud?: string[];
  extra?: Record<string, unknown>;
}

export function qshOf(method: string, pathRelativeToSite: string, query: Record<string, string | string[]> = {}): string {
  return jwt.createQueryStringHash({ method: method.toUpperCase(), pathname: pathRelativeToSite, query });
}

export function signAppJwt(o: AppJwtOptions): string {
  const now = Math.floor(Date.now() / 1000);
  const iat = o.iat ?? now;
  const payload: Record<string, unknown> = {
    iss: o.iss,
    iat,
    exp: o.exp ?? iat + 180,
    qsh: o.qsh ?? qshOf(o.method, o.path, o.query),
    ...(o.aud ? { aud: o.aud } : {}),
    ...(o.extra ?? {}),
  };
  return jwt.encodeSymmetric(payload, o.secret, jwt.SymmetricAlgorithm.HS256);
}

// ---------------------------------------------------------------------------------------------
// The UPM install flow, driven directly (for descriptors ACE would refuse to serve).

export interface UpmResult {
  /** True if the app ended up installed. */
  installed: boolean;
  /** HTTP status of the install POST (202 when accepted as a task). */
  postStatus: number;
  /** The error the site reported (task errorMessage or the POST's body). */
  message: string;
  finalBody: unknown;
}

function splitRegistrationUrl(registrationUrl: string): { site: string; auth: string } {
  const u = new URL(registrationUrl);
  const auth = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
  u.username = '';
  u.password = '';
  return { site: u.toString().replace(/\/+$/, ''), auth };
}

function upmUrl(site: string, linkPath: string): string {
  const i = linkPath.indexOf('/rest/plugins/1.0');
  return `${site}${i >= 0 ? linkPath.slice(i) : linkPath}`;
}

/** GET /rest/plugins/1.0/ for the upm-token, POST the pluginUri, poll the task like ACE does. */
export async function upmInstall(registrationUrl: string, descriptorUrl: string): Promise<UpmResult> {
  const { site, auth } = splitRegistrationUrl(registrationUrl);
  const list = await rawRequest(`${site}/rest/plugins/1.0/`, { headers: { Authorization: auth } });
  if (list.status !== 200) throw new Error(`GET /rest/plugins/1.0/ answered ${list.status}: ${list.text}`);
  const token = list.headers.get('upm-token') ?? '';
  const post = await rawRequest<{ links?: { self?: string } }>(`${site}/rest/plugins/1.0/?token=${encodeURIComponent(token)}`, {
    method: 'POST',
    headers: { Authorization: auth, 'Content-Type': 'application/vnd.atl.plugins.remote.install+json' },
    body: JSON.stringify({ pluginUri: descriptorUrl }),
  });
  if (post.status !== 202) {
    return { installed: false, postStatus: post.status, message: post.text, finalBody: post.body };
  }
  let next = post.body.links?.self;
  for (let i = 0; i < 300 && next; i++) {
    const poll = await rawRequest<Record<string, unknown>>(upmUrl(site, next), { headers: { Authorization: auth } });
    if (poll.status === 303) {
      next = poll.headers.get('location') ?? undefined;
      continue;
    }
    if (poll.status < 200 || poll.status > 299) {
      return { installed: false, postStatus: post.status, message: poll.text, finalBody: poll.body };
    }
    const body = poll.body;
    const status = body.status as { done?: boolean; errorMessage?: string } | undefined;
    if (status?.done) {
      return { installed: false, postStatus: post.status, message: String(status.errorMessage ?? poll.text), finalBody: body };
    }
    if (typeof body.key === 'string') {
      return { installed: true, postStatus: post.status, message: '', finalBody: body };
    }
    await new Promise((r) => setTimeout(r, Math.min(Number(body.pingAfter ?? 20) || 20, 100)));
    // keep polling the same task
  }
  throw new Error('UPM task never finished');
}

/** Serve arbitrary descriptor JSON (valid or not) from a bare express server. */
export async function serveDescriptor(
  descriptor: (baseUrl: string) => unknown,
  installedStatus = 204,
): Promise<{ url: string; baseUrl: string; close(): Promise<void> }> {
  const app = express();
  const server = http.createServer(app);
  const port = await listen(server);
  const baseUrl = `http://localhost:${port}`;
  const body = descriptor(baseUrl);
  app.get('/atlassian-connect.json', (_req, res) => {
    res.json(body);
  });
  app.post('/installed', (_req, res) => {
    if (installedStatus === 204) res.status(204).end();
    else res.status(installedStatus).json({ message: 'this app refuses the installation' });
  });
  app.post('/uninstalled', (_req, res) => {
    res.status(204).end();
  });
  return {
    url: `${baseUrl}/atlassian-connect.json`,
    baseUrl,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
