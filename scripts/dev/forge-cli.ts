/**
 * The Forge CLI (`forge`, npm package @forge/cli) as `npm run dev:tunnel` drives it.
 *
 * It is found on the PATH, not installed with Keepsake: @forge/cli 13.3.0 brings about 770
 * packages, among them keytar, a native module whose install script downloads a prebuilt binary
 * from GitHub or else compiles against libsecret; as a devDependency it would make every
 * `npm install` of Keepsake, offline CI included, depend on both (docs/development.md).
 *
 * Each command runs in the dev folder (its manifest.yml is the app `forge` acts on) with a time
 * limit, in a process group of its own so that the limit and Ctrl-C end all of it; its output is
 * shown as it comes. A failure becomes a ForgeError that quotes the CLI's own message and says
 * what to fix.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A step of the Forge loop failed; the message says what the CLI said and what to fix. */
export class ForgeError extends Error {}

export const INSTALL_FORGE_CLI =
  'Install it with `npm install -g @forge/cli` (@forge/cli 13.3.0 runs on Node >=20.18.1 except 22.23.1 and 24.17.0; it is not a devDependency of Keepsake, ' +
  'docs/development.md says why) and check with `forge --version`.';

const API_TOKENS = 'https://id.atlassian.com/manage-profile/security/api-tokens';
const LOGIN = `run \`forge login\` (your Atlassian account's e-mail and an API token from ${API_TOKENS}), or set FORGE_EMAIL and FORGE_API_TOKEN`;
/** Checks and listings need no more than this, whatever KEEPSAKE_FORGE_TIMEOUT_MS says. */
const QUICK_LIMIT_MS = 60_000;
const KILL_GRACE_MS = 2_000;

/** The first `name` on the PATH that can be run, or undefined. */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const extensions = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const folder of (env.PATH ?? '').split(delimiter)) {
    if (!folder) continue;
    for (const extension of extensions) {
      const candidate = join(folder, name + extension);
      try {
        if (!statSync(candidate).isFile()) continue;
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/**
 * Where the Forge CLI's credentials come from, judged from the environment alone: the CLI uses
 * FORGE_EMAIL and FORGE_API_TOKEN only when both are set, and `forge login`'s keychain entry
 * otherwise. One without the other is a mistake named here, before any command runs.
 */
export function forgeCredentialSource(env: NodeJS.ProcessEnv = process.env): 'environment' | 'forge login' {
  const email = Boolean(env.FORGE_EMAIL);
  const token = Boolean(env.FORGE_API_TOKEN);
  if (email && token) return 'environment';
  if (email || token) {
    const [set, unset] = email ? ['FORGE_EMAIL', 'FORGE_API_TOKEN'] : ['FORGE_API_TOKEN', 'FORGE_EMAIL'];
    throw new ForgeError(
      `${set} is set but ${unset} is not, so the Forge CLI would ignore both: set ${unset} too (an API token from ${API_TOKENS}), ` +
        'or unset both and run `forge login`.',
    );
  }
  return 'forge login';
}

export interface ForgeRun {
  /** The exit code; null when the process was ended by a signal (the time limit). */
  code: number | null;
  /** stdout and stderr as they came, colours removed; empty for an interactive run. */
  output: string;
  timedOut: boolean;
}

export interface RunOptions {
  timeoutMs: number;
  /** The developer answers the CLI's own questions: the terminal is the CLI's, nothing is captured. */
  interactive?: boolean;
}

/** One installation as `forge install list --json` prints it. */
export interface ForgeInstallation {
  id?: string;
  environment?: string;
  site?: string;
  product?: string;
}

export interface ForgeCliOptions {
  executable: string;
  /** The dev folder: its manifest.yml names the app. */
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Each line the CLI prints. */
  echo(line: string): void;
  /** KEEPSAKE_FORGE_TIMEOUT_MS: the limit of register, deploy and install. */
  timeoutMs: number;
}

export class ForgeCli {
  /** Each running command, and whether it leads a process group of its own. */
  private readonly running = new Map<ChildProcess, boolean>();

  constructor(private readonly options: ForgeCliOptions) {}

  /** Runs `forge ARGS` to its end or its time limit. */
  run(args: string[], { timeoutMs, interactive = false }: RunOptions): Promise<ForgeRun> {
    const child = spawn(this.options.executable, args, {
      cwd: this.options.cwd,
      // No colours in what is captured; no update notice in what is parsed.
      env: { ...process.env, ...this.options.env, FORCE_COLOR: '0', NO_UPDATE_NOTIFIER: '1' },
      // An interactive run must stay in the terminal's process group to read from it.
      detached: !interactive,
      stdio: interactive ? 'inherit' : ['ignore', 'pipe', 'pipe'],
      shell: process.platform === 'win32',
    });
    this.running.set(child, !interactive);
    let output = '';
    let partial = '';
    const take = (chunk: Buffer) => {
      const text = stripAnsi(chunk.toString());
      output += text;
      const lines = (partial + text).split(/\r?\n/);
      partial = lines.pop() ?? '';
      for (const line of lines) this.options.echo(line);
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    let timedOut = false;
    let killer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      this.end(child, 'SIGTERM');
      killer = setTimeout(() => this.end(child, 'SIGKILL'), KILL_GRACE_MS);
    }, timeoutMs);
    return new Promise((resolve) => {
      const done = (code: number | null) => {
        clearTimeout(timer);
        clearTimeout(killer);
        this.running.delete(child);
        if (partial) this.options.echo(partial);
        resolve({ code, output, timedOut });
      };
      child.once('error', (error) => {
        output += `Error: ${error.message}\n`;
        done(127);
      });
      child.once('close', (code) => done(code));
    });
  }

  /** Ends every command still running (Ctrl-C). */
  stopAll(): void {
    for (const child of this.running.keys()) this.end(child, 'SIGTERM');
  }

  /** `forge whoami`: the account the CLI acts as; a missing or refused login is named. */
  async whoami(source: 'environment' | 'forge login'): Promise<string> {
    const limit = Math.min(this.options.timeoutMs, QUICK_LIMIT_MS);
    const run = await this.run(['whoami'], { timeoutMs: limit });
    if (run.timedOut) {
      throw new ForgeError(
        `\`forge whoami\` did not finish within ${seconds(limit)}: Atlassian (api.atlassian.com) did not answer. Check your connection.`,
      );
    }
    const said = cliMessage(run.output);
    if (run.code === 0)
      return (
        run.output
          .split(/\r?\n/)
          .find((line) => /logged in/i.test(line))
          ?.trim() ?? 'logged in'
      );
    if (/not logged in/i.test(run.output)) throw new ForgeError(`No Forge credentials: ${LOGIN}. (forge whoami: ${said})`);
    if (/couldn.t get your Atlassian account information|invalid|unauthori[sz]ed|\b401\b/i.test(run.output)) {
      const fix =
        source === 'environment' ? `check FORGE_EMAIL and FORGE_API_TOKEN (a token from ${API_TOKENS})` : 'run `forge login` again';
      throw new ForgeError(`Atlassian refused the Forge CLI's credentials (from ${source}): ${fix}. (forge whoami: ${said})`);
    }
    throw new ForgeError(`Could not check the Forge CLI's credentials: forge whoami says: ${sentence(said)}${adviceFor(run.output)}`);
  }

  /** `forge register NAME` in the dev folder: writes the new app's id into its manifest.yml. */
  async register(name: string, interactive: boolean): Promise<void> {
    const limit = interactive ? Math.max(this.options.timeoutMs, 600_000) : this.options.timeoutMs;
    const run = await this.run(['register', name], { timeoutMs: limit, interactive });
    if (run.code === 0 && !run.timedOut) return;
    const said = run.timedOut
      ? `it did not finish within ${seconds(limit)}`
      : interactive
        ? `it exited with code ${run.code}; its message is above`
        : cliMessage(run.output);
    throw new ForgeError(
      `\`forge register\` did not register Keepsake's development app: ${sentence(said)}${adviceFor(run.output)} ` +
        'Fix what it names and run again, or register an app yourself (`forge register` in any folder with a manifest.yml) and set KEEPSAKE_FORGE_APP_ID to its id.',
    );
  }

  /** `forge deploy -e development --non-interactive`. */
  async deploy(context: string): Promise<void> {
    const limit = this.options.timeoutMs;
    const run = await this.run(['deploy', '-e', 'development', '--non-interactive'], { timeoutMs: limit });
    if (run.timedOut) {
      throw new ForgeError(
        `\`forge deploy -e development\` did not finish within ${seconds(limit)} (KEEPSAKE_FORGE_TIMEOUT_MS sets the limit). ${context}`,
      );
    }
    if (run.code !== 0) {
      throw new ForgeError(
        `\`forge deploy -e development\` was refused: ${sentence(cliMessage(run.output))}${adviceFor(run.output)} ${context}`,
      );
    }
  }

  /** `forge install list --json`: the app's installations. */
  async installations(): Promise<ForgeInstallation[]> {
    const limit = Math.min(this.options.timeoutMs, QUICK_LIMIT_MS);
    const run = await this.run(['install', 'list', '--json'], { timeoutMs: limit });
    if (run.timedOut)
      throw new ForgeError(
        `\`forge install list\` did not finish within ${seconds(limit)}: Atlassian did not answer. Check your connection.`,
      );
    if (run.code !== 0) throw new ForgeError(`\`forge install list\` failed: ${sentence(cliMessage(run.output))}${adviceFor(run.output)}`);
    const start = run.output.search(/^\s*\[/m);
    const end = run.output.lastIndexOf(']');
    try {
      if (start < 0 || end < start) throw new Error('no list');
      const list: unknown = JSON.parse(run.output.slice(start, end + 1));
      if (!Array.isArray(list)) throw new Error('not a list');
      return list as ForgeInstallation[];
    } catch {
      throw new ForgeError(`\`forge install list --json\` printed no list of installations: ${cliMessage(run.output) || '(nothing)'}`);
    }
  }

  /** `forge install [--upgrade] --site HOST --product confluence -e development --non-interactive --confirm-scopes`. */
  async install(host: string, upgrade: boolean, context: string): Promise<void> {
    const limit = this.options.timeoutMs;
    const args = [
      'install',
      ...(upgrade ? ['--upgrade'] : []),
      '--site',
      host,
      '--product',
      'confluence',
      '-e',
      'development',
      '--non-interactive',
      '--confirm-scopes',
    ];
    const run = await this.run(args, { timeoutMs: limit });
    const command = `\`forge install${upgrade ? ' --upgrade' : ''}\` on ${host}`;
    if (run.timedOut)
      throw new ForgeError(`${command} did not finish within ${seconds(limit)} (KEEPSAKE_FORGE_TIMEOUT_MS sets the limit). ${context}`);
    // The CLI reports some refusals (no deployment in the environment) and still exits 0.
    if (run.code !== 0 || /^\s*Error:/m.test(run.output)) {
      throw new ForgeError(
        `${command} was refused: ${sentence(cliMessage(run.output))}${adviceFor(run.output)} The account must be an administrator of ${host}, and Confluence must be on it. ${context}`,
      );
    }
  }

  private end(child: ChildProcess, signal: NodeJS.Signals): void {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    try {
      // The whole group: the CLI's own children (the bundler) too.
      if (process.platform !== 'win32' && this.running.get(child)) process.kill(-child.pid, signal);
      else child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** Whether an installation is Keepsake's development one on this site. */
export function isInstalledOn(installation: ForgeInstallation, host: string): boolean {
  const site = (installation.site ?? '')
    .replace(/^https?:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
  return (
    site === host.toLowerCase() &&
    (installation.environment ?? '').toLowerCase() === 'development' &&
    /confluence/i.test(installation.product ?? '')
  );
}

/** The CLI's own words for a failure: its `Error:` lines, else its last lines. */
export function cliMessage(output: string): string {
  const lines = stripAnsi(output)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  const errors = lines.filter((line) => /^(✖\s*)?Error:/.test(line)).map((line) => line.replace(/^(✖\s*)?Error:\s*/, ''));
  const chosen = errors.length ? errors : lines.filter((line) => !/^Rerunning the command with --verbose/i.test(line)).slice(-3);
  return chosen.join(' ').trim();
}

/** What to do about failures the CLI explains in its own terms ('' when it says enough). */
function adviceFor(output: string): string {
  if (/usage-analytics|analytics (setting|preference)/i.test(output) || /prompts? can(not|'t) be rendered|isTtyError/i.test(output)) {
    return ' The Forge CLI asks whether to send usage analytics on its first run: answer once with `forge settings set usage-analytics false` (or true).';
  }
  if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|network|socket hang up|fetch failed/i.test(output)) {
    return ' That is the network: the Forge CLI could not reach Atlassian (api.atlassian.com); check your connection.';
  }
  if (/not logged in/i.test(output)) return ` No Forge credentials: ${LOGIN}.`;
  return '';
}

/** The CLI's words as a sentence of ours. */
function sentence(said: string): string {
  if (!said) return '(it printed nothing).';
  return /[.!?)]$/.test(said) ? said : `${said}.`;
}

function seconds(ms: number): string {
  return `${ms / 1000} s`;
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
}
