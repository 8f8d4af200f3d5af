// Keepsake as production runs it: `npm run build` once, then `node dist/server.js` from the
// project folder (the image's WORKDIR) with NODE_ENV=production, one process per instance.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const PROJECT = join(__dirname, '..', '..');

/** `npm run build`: the front end into public/build/ and the server into dist/. */
export async function buildForProduction(): Promise<void> {
  await promisify(execFile)('npm', ['run', 'build'], { cwd: PROJECT, maxBuffer: 16 * 1024 * 1024 });
}

/** The data key production tests run with (production refuses to start without one). */
export const DATA_KEY = Buffer.alloc(32, 'production test data key').toString('base64');

export interface ProductionInstance {
  url: string;
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  /** Sends the signal (SIGTERM, as platforms do) and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `node dist/server.js`; with `waitUntilReady`, resolves once /readyz answers 200. */
export async function startProductionInstance(
  port: number,
  env: Record<string, string>,
  waitUntilReady = true,
): Promise<ProductionInstance> {
  const inherited = { ...process.env };
  // Only what the test gives: no development or emulator settings from the shell.
  for (const name of [
    'DATABASE_URL',
    'AC_LOCAL_BASE_URL',
    'AC_HOST_WHITELIST',
    'AC_HOST_SCRIPT_URL',
    'CONNECT_KEYS_CDN_URL',
    'KEEPSAKE_OAUTH_SERVER_URL',
    'KEEPSAKE_DATA_KEY',
    'KEEPSAKE_DATA_KEY_PREVIOUS',
    'AC_OPTS',
    'DB_URL',
  ]) {
    delete inherited[name];
  }
  const child = spawn(process.execPath, ['dist/server.js'], {
    cwd: PROJECT,
    env: { ...inherited, LOG_LEVEL: 'info', ...env, NODE_ENV: 'production', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://localhost:${port}`;
  const instance: ProductionInstance = {
    url,
    child,
    output: () => output,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  if (!waitUntilReady) return instance;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`dist/server.js exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) return instance;
    } catch {
      // not listening yet
    }
    if (attempt > 600) {
      await instance.stop('SIGKILL');
      throw new Error(`dist/server.js did not become ready:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
