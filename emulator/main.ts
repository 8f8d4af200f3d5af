// `npm run emulator`: serves the emulated Confluence site until Ctrl-C.
//   --port N        or EMULATOR_PORT (default 4000)
//   --state FILE    or EMULATOR_STATE_FILE: keep the site in FILE across restarts
//   --reset         start from the seed even if FILE exists (and overwrite it)
//   --log-level L   or EMULATOR_LOG_LEVEL (default info)
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startEmulator } from './index';

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 4000;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid port ${JSON.stringify(raw)}`);
  return port;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      state: { type: 'string' },
      reset: { type: 'boolean', default: false },
      'log-level': { type: 'string' },
    },
  });
  const stateFile = values.state ?? (process.env.EMULATOR_STATE_FILE || undefined);
  if (values.reset && stateFile) rmSync(stateFile, { force: true });
  const emulator = await startEmulator({
    port: parsePort(values.port ?? process.env.EMULATOR_PORT),
    stateFile,
    logLevel: values['log-level'] ?? process.env.EMULATOR_LOG_LEVEL ?? 'info',
  });
  process.stdout.write(
    [
      `Confluence emulator: site ${emulator.siteUrl}`,
      `  ACE config hosts:        ${emulator.registrationUrl}`,
      `  CONNECT_KEYS_CDN_URL:    ${emulator.keysUrl}`,
      `  OAuth 2.0 server:        ${emulator.oauthServerUrl}/oauth2/token`,
      `  control API:             ${emulator.baseUrl}/_emulator/`,
      `  more sites:              POST ${emulator.baseUrl}/_emulator/sites`,
      stateFile ? `  state file:              ${stateFile}` : '  state: in memory',
      '',
    ].join('\n'),
  );
  const stop = (): void => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`Confluence emulator failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
