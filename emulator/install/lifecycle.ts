// Installing and uninstalling an app the way Confluence does: fetch and check the descriptor,
// then POST the lifecycle payload to the app. installed/uninstalled are signed RS256 with a
// `kid` (signed install); enabled is signed HS256 with the new sharedSecret, as the
// signed-install migration only changes install and uninstall
// (https://developer.atlassian.com/cloud/confluence/connect-active-api-migrations/).
import { randomBytes, randomUUID } from 'node:crypto';
import { AsymmetricAlgorithm, encodeAsymmetric } from 'atlassian-jwt';
import { nowInSeconds, signHs256 } from '../auth/hs256-jwt';
import { queryStringHash } from '../auth/query-string-hash';
import type { EmulatorContext } from '../emulator-context';
import type { InstalledApp } from '../site';
import { usesJwt } from './authentication';
import { checkDescriptor } from './descriptor';

/** An install that failed, with the message UPM reports as `status.errorMessage`. */
export class InstallError extends Error {}

const SERVER_VERSION = '6452';
const PLUGINS_VERSION = '1001.0.0-SNAPSHOT';
/** Lifecycle JWTs are short-lived; ACE checks exp. */
const LIFECYCLE_JWT_TTL_SECONDS = 180;

type LifecycleEvent = 'installed' | 'uninstalled' | 'enabled' | 'disabled';

function lifecycleUrl(app: InstalledApp, path: string): string {
  if (/^https?:\/\//.test(path)) return path;
  return `${app.baseUrl}${path.startsWith('/') ? path : `/${path}`}`;
}

function lifecyclePayload(ctx: EmulatorContext, app: InstalledApp, eventType: LifecycleEvent): object {
  return {
    key: app.key,
    clientKey: app.clientKey,
    // An app with authentication "none" is given no secret (it could not use one).
    ...(usesJwt(app) ? { sharedSecret: app.sharedSecret } : {}),
    serverVersion: SERVER_VERSION,
    pluginsVersion: PLUGINS_VERSION,
    baseUrl: ctx.urls.siteUrl,
    displayUrl: ctx.urls.siteUrl,
    productType: 'confluence',
    description: `Atlassian Confluence at ${ctx.urls.siteUrl}`,
    oauthClientId: app.oauthClientId,
    eventType,
    // A Connect-on-Forge install carries its Forge installation (ACE maps it to the clientKey).
    ...(app.forge ? { installationId: app.forge.installationId } : {}),
  };
}

function lifecycleJwt(ctx: EmulatorContext, app: InstalledApp, event: LifecycleEvent, url: string): string {
  const iat = nowInSeconds();
  const claims = { iss: app.clientKey, iat, exp: iat + LIFECYCLE_JWT_TTL_SECONDS, qsh: queryStringHash('POST', url, app.baseUrl) };
  if (event === 'installed' || event === 'uninstalled') {
    return encodeAsymmetric({ ...claims, aud: [app.baseUrl] }, ctx.installKeys.privateKeyPem, AsymmetricAlgorithm.RS256, {
      kid: ctx.installKeys.kid,
    });
  }
  return signHs256(claims, app.sharedSecret);
}

function describeFailure(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if ((err as Error).name === 'TimeoutError') return 'no answer in time';
  return cause?.code ?? cause?.message ?? (err as Error).message;
}

/** POSTs one lifecycle event; resolves to an error message, or undefined on a 2xx answer. */
export async function postLifecycle(ctx: EmulatorContext, app: InstalledApp, event: LifecycleEvent): Promise<string | undefined> {
  const path = app.lifecycle[event];
  if (!path) return undefined;
  const url = lifecycleUrl(app, path);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        // installed/uninstalled are signed RS256 for every app; enabled/disabled are signed with
        // the sharedSecret, which an app with authentication "none" never receives: unsigned.
        ...(usesJwt(app) || event === 'installed' || event === 'uninstalled'
          ? { Authorization: `JWT ${lifecycleJwt(ctx, app, event, url)}` }
          : {}),
        'User-Agent': 'Confluence-Emulator',
      },
      body: JSON.stringify(lifecyclePayload(ctx, app, event)),
      signal: AbortSignal.timeout(ctx.settings.appCallTimeoutMs),
    });
  } catch (err) {
    return `The ${event} callback POST ${url} failed: ${describeFailure(err)}`;
  }
  if (response.ok) return undefined;
  const text = (await response.text().catch(() => '')).slice(0, 300);
  return `The app answered ${response.status} to the ${event} callback POST ${url}${text ? `: ${text}` : ''}`;
}

async function fetchDescriptor(ctx: EmulatorContext, descriptorUrl: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(descriptorUrl, {
      headers: { Accept: 'application/json' },
      signal: AbortSignal.timeout(ctx.settings.appCallTimeoutMs),
    });
  } catch (err) {
    throw new InstallError(`Could not fetch the descriptor at ${descriptorUrl}: ${describeFailure(err)}`);
  }
  if (!response.ok) throw new InstallError(`Could not fetch the descriptor at ${descriptorUrl}: it answered ${response.status}`);
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InstallError(`The descriptor at ${descriptorUrl} is not valid JSON`);
  }
}

/** Installs of one app run one at a time, as a UPM would. */
const installQueues = new WeakMap<EmulatorContext, Map<string, Promise<unknown>>>();

export function queued<T>(ctx: EmulatorContext, key: string, work: () => Promise<T>): Promise<T> {
  let queues = installQueues.get(ctx);
  if (!queues) {
    queues = new Map();
    installQueues.set(ctx, queues);
  }
  const previous = queues.get(key) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(work);
  queues.set(key, next);
  return next;
}

/** Who an install makes the app on the site: the clientKey and app account stay across reinstalls; the secret and OAuth client are new. */
export function installIdentity(
  previous: InstalledApp | undefined,
): Pick<InstalledApp, 'clientKey' | 'appAccountId' | 'sharedSecret' | 'oauthClientId'> {
  return {
    clientKey: previous?.clientKey ?? randomUUID(),
    appAccountId: previous?.appAccountId ?? `557058:${randomUUID()}`,
    sharedSecret: randomBytes(32).toString('base64url'),
    oauthClientId: randomBytes(24).toString('base64url'),
  };
}

/** Installs (or reinstalls) the app whose descriptor is at `descriptorUrl`. */
export async function installApp(ctx: EmulatorContext, descriptorUrl: string): Promise<InstalledApp> {
  const checked = checkDescriptor(await fetchDescriptor(ctx, descriptorUrl));
  if (!checked.ok) throw new InstallError(`The descriptor at ${descriptorUrl} is invalid: ${checked.errors.join('; ')}`);
  const d = checked.descriptor;
  return queued(ctx, d.key, async () => {
    const previous = ctx.site.findApp(d.key);
    if (previous?.status === 'installed' && previous.installedVia === 'forge') {
      throw new InstallError(
        `The app ${d.key} is installed on this site through Forge (${previous.forge?.installationId}); an app with the same app.connect.key can only be installed once on a site: uninstall it first`,
      );
    }
    const app: InstalledApp = {
      key: d.key,
      name: d.name,
      baseUrl: d.baseUrl,
      descriptorUrl,
      descriptor: d.raw,
      scopes: d.scopes,
      lifecycle: d.lifecycle,
      ...installIdentity(previous),
      status: 'installed',
      installedAt: new Date().toISOString(),
      installedVia: 'connect',
    };
    const failure = await postLifecycle(ctx, app, 'installed');
    if (failure) throw new InstallError(failure);
    ctx.site.saveApp(app);
    ctx.logger.info({ appKey: app.key, clientKey: app.clientKey }, 'app installed');
    const enabledFailure = await postLifecycle(ctx, app, 'enabled');
    if (enabledFailure) ctx.logger.warn({ appKey: app.key }, enabledFailure);
    return app;
  });
}

/** Uninstalls an installed app; false when it is not installed. The uninstalled callback's
 *  answer does not stop the uninstall. */
export async function uninstallApp(ctx: EmulatorContext, appKey: string): Promise<boolean> {
  return queued(ctx, appKey, async () => {
    const app = ctx.site.installedApp(appKey);
    if (!app) return false;
    const failure = await postLifecycle(ctx, app, 'uninstalled');
    if (failure) ctx.logger.warn({ appKey }, failure);
    ctx.site.saveApp({ ...app, status: 'uninstalled' });
    ctx.logger.info({ appKey }, 'app uninstalled');
    return true;
  });
}
