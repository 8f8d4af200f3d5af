// Shared set-up of the conformance suite: one emulator per `describe`, ACE apps installed
// into it through ACE's own `addon.register()`, and small assertion helpers.
import assert from 'node:assert/strict';
import { startEmulator } from '../../emulator';
import {
  type AceTestApp,
  type AceTestAppOptions,
  type ClientInfo,
  type HostCallOptions,
  type HostClient,
  type HostResponse,
  type HttpMethod,
  EmulatorControl,
  clientFor,
  hostCall,
  registerOAuthServer,
  startAceTestApp,
} from '../support/ace-test-app';

export type RunningEmulator = Awaited<ReturnType<typeof startEmulator>>;
export type EmulatorStartOptions = NonNullable<Parameters<typeof startEmulator>[0]>;

export interface InstalledTestApp extends AceTestApp {
  clientKey: string;
  clientInfo(): Promise<ClientInfo | undefined>;
  /** The ClientInfo ACE saved at install time. */
  installInfo: ClientInfo;
  asApp(): HostClient;
  asUser(accountId: string): HostClient;
  /** Call as the app (JWT) or, with `as`, as that user (Bearer via asUserByAccountId). */
  call<T = unknown>(method: HttpMethod, url: string, o?: HostCallOptions & { as?: string }): Promise<HostResponse<T>>;
}

export interface Site {
  emu: RunningEmulator;
  control: EmulatorControl;
  /** Start an ACE app and install it with `addon.register()`; fails the hook if it does not install. */
  installApp(opts?: Partial<AceTestAppOptions>): Promise<InstalledTestApp>;
  /** Start an ACE app without installing it. */
  startApp(opts?: Partial<AceTestAppOptions>): Promise<AceTestApp>;
  close(): Promise<void>;
}

let keySeq = 0;
/** App keys unique within the process (keys stay taken on a site after uninstall). */
export function uniqueKey(prefix = 'conformance'): string {
  keySeq += 1;
  return `${prefix}-${process.pid}-${keySeq}`;
}

/** Mocha hooks of a `describe` that needs one emulator with one installed app; `use` gets both. */
export function withInstalledApp(use: (started: { site: Site; app: InstalledTestApp }) => void): void {
  let site: Site | undefined;
  before(async function () {
    site = await startSite();
    use({ site, app: await site.installApp() });
  });
  after(async function () {
    await site?.close();
  });
}

export async function startSite(options: EmulatorStartOptions = {}): Promise<Site> {
  const emu = await startEmulator({ port: 0, ...options });
  const previousKeysUrl = process.env.CONNECT_KEYS_CDN_URL;
  process.env.CONNECT_KEYS_CDN_URL = emu.keysUrl;
  const unregisterOAuth = registerOAuthServer(emu.siteUrl, emu.oauthServerUrl);
  const apps: AceTestApp[] = [];

  const startApp = async (opts: Partial<AceTestAppOptions> = {}): Promise<AceTestApp> => {
    const app = await startAceTestApp({ key: uniqueKey(), ...opts, hosts: opts.hosts ?? [emu.registrationUrl] });
    apps.push(app);
    return app;
  };

  return {
    emu,
    control: new EmulatorControl(emu.baseUrl),
    startApp,
    async installApp(opts = {}) {
      const app = await startApp(opts);
      const registered = await app.register();
      const info = await app.clientInfo();
      if (!registered || !info) {
        const why = app.logs
          .filter((l) => l.level !== 'info')
          .map((l) => l.text)
          .join('\n');
        throw new Error(
          `ACE app ${app.key} did not install into the emulator (registered=${registered}, clientInfo=${Boolean(info)}):\n${why}`,
        );
      }
      const installed: InstalledTestApp = Object.assign(app, {
        clientKey: info.clientKey,
        installInfo: info,
        asApp: () => clientFor(app.addon, info.clientKey),
        asUser: (accountId: string) => clientFor(app.addon, info.clientKey, accountId),
        call: <T = unknown>(method: HttpMethod, url: string, o: HostCallOptions & { as?: string } = {}) =>
          hostCall<T>(clientFor(app.addon, info.clientKey, o.as), method, url, o),
      });
      return installed;
    },
    async close() {
      const errors: unknown[] = [];
      for (const app of apps.splice(0)) {
        await app.close().catch((e: unknown) => errors.push(e));
      }
      await emu.close().catch((e: unknown) => errors.push(e));
      unregisterOAuth();
      if (previousKeysUrl === undefined) delete process.env.CONNECT_KEYS_CDN_URL;
      else process.env.CONNECT_KEYS_CDN_URL = previousKeysUrl;
      if (errors.length > 0) throw errors[0] instanceof Error ? errors[0] : new Error(String(errors[0]));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Assertions.

export interface ErrorBody {
  statusCode?: unknown;
  message?: unknown;
}

/** A documented error status with the emulator's error body: `{statusCode, message}`. */
export function assertError(res: { status: number; body: unknown; text: string }, status: number, messagePattern?: RegExp): string {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text}`);
  const body = res.body as ErrorBody;
  assert.ok(body !== null && typeof body === 'object', `error body is not JSON: ${res.text}`);
  assert.equal(body.statusCode, status, `error body statusCode: ${res.text}`);
  assert.equal(typeof body.message, 'string', `error body has no message: ${res.text}`);
  const message = body.message as string;
  assert.ok(message.trim().length > 0, 'error message is empty');
  if (messagePattern) assert.match(message, messagePattern, `error message does not say what was wrong: ${message}`);
  return message;
}

export function assertStatus(res: { status: number; text: string }, status: number): void {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text}`);
}

/** ISO-8601 with milliseconds, as Confluence's user property dates. */
export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function userPropertyPath(accountId: string, key?: string): string {
  return `/rest/api/user/${accountId}/property${key === undefined ? '' : `/${key}`}`;
}

export function appPropertyPath(appKey: string, key?: string): string {
  return `/rest/atlassian-connect/1/addons/${appKey}/properties${key === undefined ? '' : `/${key}`}`;
}
