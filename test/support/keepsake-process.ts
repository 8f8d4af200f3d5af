// Keepsake as its own operating-system process (as each instance runs in production), for
// tests where several instances share one database.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface KeepsakeProcess {
  url: string;
  /** The operating system's id of the process (the bench reads its CPU time). */
  pid: number;
  stop(): Promise<void>;
  /** Ends it at once, as a crash or an OOM kill does: no shutdown, nothing finished. */
  kill(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Starts `server.ts` (or the given entry) with these settings and waits until it is ready. */
export async function startKeepsakeProcess(
  env: Record<string, string>,
  entry: string[] = ['--import', 'tsx', 'server.ts'],
): Promise<KeepsakeProcess> {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  let output = '';
  const child: ChildProcess = spawn(process.execPath, entry, {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The last few kilobytes of its output, to explain a failed start.
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-10_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`Keepsake exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (i > 600) throw new Error(`Keepsake did not become ready:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
