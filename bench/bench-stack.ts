// The processes a bench run measures, each its own operating-system process as in production:
// the emulator (`npm run emulator`'s entry) and one Keepsake — the production build
// (`npm run build`, `node dist/server.js`) on Postgres when BENCH_DATABASE_URL or DATABASE_URL is
// set, else the development server on a fresh sqlite file. The load comes from the bench's own
// process. Stopping waits for the calls a load left queued, then stops Keepsake before the
// emulator it calls (so a shutdown figure is about Keepsake, not about a vanished Confluence).
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildForProduction, DATA_KEY, startProductionInstance } from '../test/production/production-instance';
import { freePort, startKeepsakeProcess } from '../test/support/keepsake-process';
import { EmulatorControl } from './emulator-control';

/** What sequelize logs when a query arrives after Keepsake closed its database (issue 11). */
export const CLOSED_POOL_MESSAGE = 'getConnection was called after the connection manager was closed';

export interface BenchStack {
  control: EmulatorControl;
  keepsakeUrl: string;
  /** 'production build on Postgres' or 'development server on sqlite'. */
  kind: string;
  postgres: boolean;
  /** The processes' ids, for their CPU time per request. */
  pids: { emulator: number; keepsake: number };
  /** Stops both; answers how many lines of Keepsake's output named a closed pool (null: output not kept) and its error lines. */
  stop(): Promise<{ closedPoolLines: number | null; errorLines: string[] }>;
}

export function benchDatabaseUrl(): string | undefined {
  return process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || undefined;
}

export async function startBenchStack(): Promise<BenchStack> {
  const databaseUrl = benchDatabaseUrl();
  if (databaseUrl) await buildForProduction();
  const emulatorPort = await freePort();
  const emulator = spawn(
    process.execPath,
    ['--import', 'tsx', 'emulator/main.ts', '--port', String(emulatorPort), '--log-level', 'silent'],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const emulatorExited = new Promise((resolve) => emulator.once('exit', resolve));
  const stopEmulator = async () => {
    if (emulator.exitCode === null && emulator.signalCode === null) emulator.kill('SIGTERM');
    await emulatorExited;
  };
  const control = new EmulatorControl(`http://localhost:${emulatorPort}`);
  let stopKeepsake: (() => Promise<string | null>) | undefined;
  try {
    await waitFor(`${control.baseUrl}/_emulator/`);
    const reach = {
      CONNECT_KEYS_CDN_URL: `${control.baseUrl}/connect-keys`,
      KEEPSAKE_OAUTH_SERVER_URL: control.baseUrl,
      LOG_LEVEL: 'warn',
    };
    let keepsakeUrl: string;
    let keepsakePid: number;
    if (databaseUrl) {
      const port = await freePort();
      const instance = await startProductionInstance(port, {
        ...reach,
        DATABASE_URL: databaseUrl,
        KEEPSAKE_DATA_KEY: DATA_KEY,
        AC_LOCAL_BASE_URL: `http://localhost:${port}`,
        // The emulator's site is on localhost, which production's *.atlassian.net whitelist refuses.
        AC_HOST_WHITELIST: 'localhost',
      });
      keepsakeUrl = instance.url;
      keepsakePid = instance.child.pid!;
      stopKeepsake = async () => {
        await instance.stop();
        return instance.output();
      };
    } else {
      const instance = await startKeepsakeProcess({
        ...reach,
        DATABASE_URL: '',
        SQLITE_PATH: join(mkdtempSync(join(tmpdir(), 'keepsake-bench-')), 'keepsake.sqlite'),
      });
      keepsakeUrl = instance.url;
      keepsakePid = instance.pid;
      stopKeepsake = async () => {
        await instance.stop();
        return null;
      };
    }
    await control.install(`${keepsakeUrl}/atlassian-connect.json`);
    // Tokens minted at set-up are used minutes later, under load.
    await control.updateSettings({ contextTokenTtlSeconds: 3600 });
    return {
      control,
      keepsakeUrl,
      kind: databaseUrl ? 'production build on Postgres' : 'development server on sqlite',
      postgres: Boolean(databaseUrl),
      pids: { emulator: emulator.pid!, keepsake: keepsakePid },
      async stop() {
        try {
          await control.settle();
          const output = await stopKeepsake!();
          if (output === null) return { closedPoolLines: null, errorLines: [] };
          const lines = output.split('\n');
          // pino's levels: 50 error, 60 fatal.
          return {
            closedPoolLines: lines.filter((line) => line.includes(CLOSED_POOL_MESSAGE)).length,
            errorLines: lines.filter((line) => /"level":(50|60)/.test(line)),
          };
        } finally {
          await stopEmulator();
        }
      },
    };
  } catch (error) {
    await stopKeepsake?.();
    await stopEmulator();
    throw error;
  }
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}
