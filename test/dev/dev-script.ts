// The development scripts as a developer runs them: their own processes, from the project folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const PROJECT = join(__dirname, '..', '..');

export interface ScriptProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** The exit code, once the process has ended and its output is all read (so also every process sharing its output). */
  exited: Promise<number | null>;
  /** Resolves with the first stdout match, or rejects (with the output) if the script ends first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
}

/** Starts `node --import tsx scripts/NAME` with these arguments and settings added to the environment. */
export function startScript(script: string, args: string[], env: Record<string, string>): ScriptProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join('scripts', script), ...args], {
    cwd: PROJECT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    for (const listener of listeners) listener();
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitFor(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = stdout.match(pattern);
          if (!match) return;
          listeners.delete(check);
          resolve(match);
        };
        listeners.add(check);
        check();
        void exited.then((code) => {
          if (!listeners.has(check)) return;
          listeners.delete(check);
          reject(new Error(`scripts/${script} exited (${code}) before printing ${pattern}:\n${stdout}\n${stderr}`));
        });
      });
    },
  };
}

/** Runs a script to its end. */
export async function runScript(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const started = startScript(script, args, env);
  const code = await started.exited;
  return { code, stdout: started.stdout(), stderr: started.stderr() };
}

/** Whether a process with this id still runs. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
