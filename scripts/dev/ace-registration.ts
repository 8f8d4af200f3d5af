/**
 * Drives ACE's own auto-registration (`addon.register()`: UPM's REST API on each host, and an
 * ngrok tunnel first when a host is not on this machine) and its deregistration, with what ACE
 * leaves out: a time limit (its `register()` never settles when a host does not answer), failures
 * reported instead of logged and swallowed, and the site list given here rather than merged with
 * whatever credentials.json sits in the working directory.
 */
import type { AddOn } from 'atlassian-connect-express';

/** Registration did not happen; the message says why and what to check. */
export class RegistrationError extends Error {}

/** The parts of ACE's add-on that registration uses and its type declarations leave out. */
interface RegisteringAddOn {
  register(): Promise<void>;
  deregister(): Promise<void>;
  config: { hosts(): string[]; ngrok(): unknown; localBaseUrl(): string };
  logger: { warn(...args: unknown[]): void };
  /** Filled by ACE with each registration URL it installed the app on. */
  _registrations?: Record<string, boolean>;
}

export interface RegistrationOptions {
  /** Registration URLs (`http://user:password@host/wiki`), exactly as ACE's config `hosts`. */
  hosts: string[];
  /** `@ngrok/ngrok` `forward()` options, when a host is remote and no AC_LOCAL_BASE_URL is set. */
  ngrok?: Record<string, unknown>;
  timeoutMs: number;
}

// ACE deregisters on these and then raises the signal again; the dev server stops in its own order.
const ACE_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGUSR2'] as const;

/** Installs the app on every host through ACE; resolves with the public base URL (the tunnel's, if one was opened). */
export async function registerApp(addon: AddOn, options: RegistrationOptions): Promise<string> {
  const ace = addon as unknown as RegisteringAddOn;
  // ACE's hosts() appends credentials.json's sites to the configured ones; the caller decides.
  ace.config.hosts = () => [...options.hosts];
  if (options.ngrok) {
    const ngrok = options.ngrok;
    ace.config.ngrok = () => ngrok;
  }
  const signalListeners = new Map(ACE_SIGNALS.map((signal) => [signal, process.listeners(signal)]));
  const failures: string[] = [];
  const warn = ace.logger.warn;
  // ACE logs a host's refusal as a warning and resolves anyway; keep the words for the error.
  ace.logger.warn = (...args: unknown[]) => {
    const line = args.map(String).join(' ');
    if (line.startsWith('Failed to register')) failures.push(line);
    warn.apply(ace.logger, args);
  };
  // ACE's first UPM call rejects where nothing handles it; that is a failed registration here.
  let onStray: (reason: unknown) => void = () => undefined;
  const stray = new Promise<never>((_resolve, reject) => {
    onStray = (reason) => reject(new RegistrationError(`The site refused the registration: ${describe(reason)}`));
  });
  process.on('unhandledRejection', onStray);
  process.on('uncaughtException', onStray);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new RegistrationError(
            `ACE's register() did not finish within ${options.timeoutMs / 1000} s: the tunnel or the site did not answer ` +
              '(KEEPSAKE_REGISTER_TIMEOUT_MS sets the limit).',
          ),
        ),
      options.timeoutMs,
    );
  });
  const registered = ace.register().catch((error: unknown) => {
    // register() itself rejects only when the tunnel could not be opened.
    throw new RegistrationError(
      `Could not open the ngrok tunnel: ${describe(error)}. Check "ngrok": {"authtoken": …} in credentials.json ` +
        '(https://dashboard.ngrok.com/get-started/your-authtoken) and your connection.',
    );
  });
  try {
    await Promise.race([registered, stray, timedOut]);
  } finally {
    clearTimeout(timer);
    process.off('unhandledRejection', onStray);
    process.off('uncaughtException', onStray);
    ace.logger.warn = warn;
    for (const [signal, before] of signalListeners) {
      for (const listener of process.listeners(signal)) if (!before.includes(listener)) process.off(signal, listener);
    }
  }
  const missing = options.hosts.filter((host) => !ace._registrations?.[host]);
  if (missing.length) {
    throw new RegistrationError(
      failures.length ? failures.join('\n') : `ACE did not install the app on ${missing.map(withoutCredentials).join(', ')}.`,
    );
  }
  return ace.config.localBaseUrl();
}

/** Uninstalls from every host ACE installed on (ACE does so only in development), within a time limit. */
export async function deregisterApp(addon: AddOn, timeoutMs: number): Promise<void> {
  const ace = addon as unknown as RegisteringAddOn;
  // deregister() then disconnects ngrok through a require() that rejects unhandled when the
  // optional package was left out; the process is stopping, so that one is ignored.
  process.on('unhandledRejection', (reason) => {
    if ((reason as NodeJS.ErrnoException)?.code === 'MODULE_NOT_FOUND') return;
    throw reason;
  });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([ace.deregister(), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}

function describe(reason: unknown): string {
  // ACE rejects with [error, response] pairs from the `request` library.
  if (Array.isArray(reason)) {
    const [error, response] = reason as [unknown, { statusCode?: number } | undefined];
    if (response?.statusCode) return `HTTP ${response.statusCode}`;
    return describe(error);
  }
  if (reason instanceof Error) return reason.message;
  return String(reason);
}

function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}
