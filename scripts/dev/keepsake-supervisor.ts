/**
 * Runs the development Keepsake (keepsake-dev-server.ts) as a child process and restarts it when
 * the server's sources change: a fresh process is the only sure way to load changed modules.
 * The child gets its own process group, so Ctrl-C reaches only the dev script, which then stops
 * the child first (it uninstalls from the site while the emulator still answers).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { DevServerMessage } from './dev-server-messages';

// A child that ignores SIGINT this long (a hung deregistration) is killed.
const STOP_GRACE_MS = 20_000;

export interface SupervisorOptions {
  /** The project folder: ACE reads atlassian-connect.json and config.json from the working directory. */
  root: string;
  /** Arguments of keepsake-dev-server.ts (`--host URL`, `--credentials FILE` or `--no-register`). */
  args: string[];
  env: NodeJS.ProcessEnv;
  log(line: string): void;
  /**
   * After a restart, before the next one may begin: the Forge loop sends the manifest again
   * when it changed. A failure is logged; the next change tries again.
   */
  afterRestart?(url: string): Promise<void>;
}

export class KeepsakeSupervisor {
  private child: ChildProcess | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private halting = false;

  constructor(private readonly options: SupervisorOptions) {}

  /** The running child's process id. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts Keepsake and waits until it is installed; rejects with the child's reason. */
  start(): Promise<string> {
    return this.serially(() => this.spawn());
  }

  /** Stops the running Keepsake and starts a new one; failures are logged, the next change retries. */
  restart(reason: string): Promise<void> {
    return this.serially(async () => {
      this.options.log(`${reason}: restarting Keepsake…`);
      await this.halt();
      try {
        const url = await this.spawn();
        this.options.log(`Keepsake restarted at ${url} (process ${this.child?.pid}).`);
        await this.options
          .afterRestart?.(url)
          .catch((error: Error) => this.options.log(`${error.message}\nFix it and save: the next change tries again.`));
      } catch (error) {
        this.options.log(`Keepsake did not start: ${(error as Error).message}\nFix it and save: the next change restarts it.`);
      }
    });
  }

  /** Stops Keepsake (it uninstalls itself first) and waits for the process to end. */
  stop(): Promise<void> {
    return this.serially(() => this.halt());
  }

  private serially<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private spawn(): Promise<string> {
    const child = fork(join(this.options.root, 'scripts', 'dev', 'keepsake-dev-server.ts'), this.options.args, {
      cwd: this.options.root,
      env: this.options.env,
      execArgv: ['--import', 'tsx'],
      detached: true,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child = child;
    let ready = false;
    return new Promise((resolve, reject) => {
      child.on('message', (message: DevServerMessage) => {
        if (message.type === 'ready') {
          ready = true;
          resolve(message.url);
        } else reject(new Error(message.message));
      });
      child.once('exit', (code, signal) => {
        if (this.child === child) this.child = undefined;
        const how = signal ?? `code ${code}`;
        if (!ready) reject(new Error(`Keepsake exited (${how}) before it was ready.`));
        else if (!this.halting) this.options.log(`Keepsake stopped on its own (${how}); save a source file to start it again.`);
      });
    });
  }

  private async halt(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.halting = true;
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
    this.halting = false;
  }
}
