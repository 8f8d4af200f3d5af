/**
 * Keepsake as `npm run dev` and `npm run dev:tunnel` run it: server.ts's `startServer`, then
 * installed through ACE's own `addon.register()` on the emulator (`--host URL`) or on the sites
 * of a credentials file (`--credentials FILE`, with ACE's ngrok tunnel), or not at all
 * (`--no-register`: the Connect-on-Forge loop installs it with `forge install`, behind the
 * tunnel the dev script opened, AC_LOCAL_BASE_URL). The dev script
 * (keepsake-supervisor.ts) starts it, hears over IPC when it is ready, and restarts it on source
 * changes. SIGINT, SIGTERM or the dev script going away stop it: uninstall first if it
 * registered itself (as ACE does in development: the next start may have another tunnel URL),
 * then the graceful close.
 */
import { parseArgs } from 'node:util';
import { startServer, type RunningKeepsake } from '../../server';
import { createLogger } from '../../lib/logger';
import { loadSettings } from '../../lib/settings';
import { deregisterApp, registerApp, type RegistrationOptions } from './ace-registration';
import { readCredentials } from './credentials';
import { loadDevSettings } from './dev-settings';
import type { DevServerMessage } from './dev-server-messages';

const DEREGISTER_TIMEOUT_MS = 10_000;

function tell(message: DevServerMessage): Promise<void> {
  if (!process.send) {
    process.stdout.write(`${message.type === 'ready' ? `Keepsake is ready at ${message.url}` : message.message}\n`);
    return Promise.resolve();
  }
  return new Promise((resolve) => process.send!(message, undefined, {}, () => resolve()));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', multiple: true },
      credentials: { type: 'string' },
      'no-register': { type: 'boolean', default: false },
    },
  });
  const register = !values['no-register'];
  const dev = loadDevSettings(process.cwd());
  const settings = loadSettings();
  const logger = createLogger(settings.LOG_LEVEL);
  const registration: Omit<RegistrationOptions, 'timeoutMs'> = values.credentials
    ? (() => {
        const credentials = readCredentials(values.credentials, { ownTunnel: Boolean(settings.AC_LOCAL_BASE_URL) });
        return { hosts: credentials.sites.map((s) => s.registrationUrl), ngrok: credentials.ngrok };
      })()
    : { hosts: values.host ?? [] };

  let running: RunningKeepsake | undefined;
  let stopping = false;
  const stop = (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    const uninstall = running && register ? deregisterApp(running.keepsake.addon, DEREGISTER_TIMEOUT_MS) : Promise.resolve();
    uninstall
      .then(() => running?.close())
      .then(
        () => process.exit(exitCode),
        (error: unknown) => {
          logger.error({ err: error }, 'stopping failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  // The dev script died without stopping us: do not outlive it holding the port.
  process.on('disconnect', () => stop(0));

  try {
    running = await startServer(settings, logger);
    const url = register ? await registerApp(running.keepsake.addon, { ...registration, timeoutMs: dev.registerTimeoutMs }) : running.url;
    if (!stopping) await tell({ type: 'ready', url });
  } catch (error) {
    await tell({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    stop(1);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
