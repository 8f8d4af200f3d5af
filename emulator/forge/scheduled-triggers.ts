// Runs a scheduled trigger now, as Forge does when its interval comes round
// (https://developer.atlassian.com/platform/forge/remote/scheduled-triggers/, contract:
// https://developer.atlassian.com/platform/forge/forge-remote-invocation-contract/): a POST
// to the endpoint's remote baseUrl + route.path with `authorization: Bearer <FIT>`, the app
// system token in `x-forge-oauth-system` when the endpoint asks for it, never a user token,
// x-b3 trace headers; 5 s timeout; a non-2xx answer (3xx included), a timeout or a network error
// is a failure, retried 4 times.
import { randomBytes } from 'node:crypto';
import type { EmulatorContext } from '../emulator-context';
import type { InstalledApp } from '../site';
import { mintForgeAppToken } from './app-tokens';
import { mintInvocationToken } from './invocation-token';
import { readForgeApp } from './manifest';
import { cloudIdOf } from './site-identity';

/** "Events and scheduled triggers … Timeout 5s … Retries 4" (the contract's table). */
export const TRIGGER_TIMEOUT_MS = 5_000;
export const TRIGGER_RETRIES = 4;

/** A trigger the emulator cannot run (HTTP 400 or 404). */
export class TriggerError extends Error {
  constructor(
    readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
  }
}

export interface TriggerAttempt {
  /** The remote's status, or null when it did not answer. */
  status: number | null;
  /** Why the attempt failed: `status 500`, `timeout`, or the network error. */
  error?: string;
}

export interface TriggerRun {
  url: string;
  /** The last attempt's status (null when it got no answer) and body text. */
  status: number | null;
  body: string | null;
  ok: boolean;
  attempts: TriggerAttempt[];
}

function traceId(): string {
  return randomBytes(16).toString('hex');
}

export async function runScheduledTrigger(ctx: EmulatorContext, app: InstalledApp, triggerKey: string): Promise<TriggerRun> {
  if (!app.forge) throw new TriggerError(404, `The app ${app.key} was not installed through Forge`);
  const forgeApp = readForgeApp(app.forge.manifest);
  const trigger = forgeApp.scheduledTriggers.get(triggerKey);
  if (!trigger) {
    throw new TriggerError(
      404,
      `The app ${app.key} has no scheduledTrigger ${triggerKey} (it has: ${[...forgeApp.scheduledTriggers.keys()].join(', ') || 'none'})`,
    );
  }
  if (!trigger.endpoint) {
    throw new TriggerError(
      400,
      `The scheduledTrigger ${triggerKey} runs a Forge function, which the emulator does not host; only endpoint triggers reach a remote`,
    );
  }
  const endpoint = forgeApp.endpoints.get(trigger.endpoint);
  const remote = endpoint && forgeApp.remotes.get(endpoint.remote);
  if (!endpoint || !remote)
    throw new TriggerError(
      400,
      `The scheduledTrigger ${triggerKey} names endpoint ${trigger.endpoint}, which has no remote with a baseUrl`,
    );
  const url = `${remote.baseUrl}${endpoint.path.startsWith('/') ? endpoint.path : `/${endpoint.path}`}`;

  // A system token needs the endpoint to ask for it and the read:app-system-token scope
  // ("must also be specified", manifest-reference/remotes); the manifest validator already
  // insists on another scope besides the token scopes.
  const systemToken =
    endpoint.appSystemToken && forgeApp.scopes.includes('read:app-system-token') ? mintForgeAppToken(ctx, app, 'system') : undefined;
  if (endpoint.appSystemToken && !systemToken) {
    ctx.logger.warn(
      { appKey: app.key, endpoint: endpoint.key },
      'endpoint asks for appSystemToken but read:app-system-token is not declared; no token sent',
    );
  }
  const trace = traceId();
  const context = { cloudId: cloudIdOf(ctx), moduleKey: trigger.key };
  const attempts: TriggerAttempt[] = [];
  let last: { status: number | null; body: string | null } = { status: null, body: null };
  for (let attempt = 0; attempt <= TRIGGER_RETRIES; attempt += 1) {
    const previousFailure = attempts.at(-1);
    const body = {
      context,
      ...(previousFailure
        ? {
            retryContext: {
              retryData: null,
              retryCount: attempt,
              retryReason:
                previousFailure.error === 'timeout'
                  ? 'TIMEOUT_ERROR'
                  : previousFailure.status === 401
                    ? 'INVALID_FORGE_INVOCATION_TOKEN'
                    : 'INVALID_REMOTE_INVOCATION_ERROR',
            },
          }
        : {}),
    };
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      authorization: `Bearer ${mintInvocationToken(ctx, { app, endpointKey: endpoint.key, context: { moduleKey: trigger.key } })}`,
      'x-b3-traceid': trace,
      'x-b3-spanid': randomBytes(8).toString('hex'),
      'User-Agent': 'Confluence-Emulator-Forge',
    };
    if (systemToken) headers['x-forge-oauth-system'] = systemToken;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        redirect: 'manual',
        signal: AbortSignal.timeout(TRIGGER_TIMEOUT_MS),
      });
      const text = await response.text();
      last = { status: response.status, body: text };
      if (response.status >= 200 && response.status < 300) {
        attempts.push({ status: response.status });
        return { url, ...last, ok: true, attempts };
      }
      attempts.push({ status: response.status, error: `status ${response.status}` });
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      last = { status: null, body: null };
      attempts.push({ status: null, error: timedOut ? 'timeout' : (cause?.code ?? cause?.message ?? (err as Error).message) });
    }
  }
  ctx.logger.warn({ appKey: app.key, trigger: trigger.key, attempts: attempts.length }, 'scheduled trigger failed on every attempt');
  return { url, ...last, ok: false, attempts };
}
