// `npm run dev`: one command starts the emulator and Keepsake, installs Keepsake through ACE's
// register(), serves a page with the Keepsake panel, and Ctrl-C ends both processes. The
// emulated site survives a restart unless --reset. `npm run dev -- --forge` installs it the
// Connect-on-Forge way instead, and a saved install of the other kind is named, not replaced.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SEEDED_USERS } from '../../emulator';
import { freePort } from '../support/keepsake-process';
import { isRunning, startScript, type ScriptProcess } from './dev-script';

const READY = /Keepsake dev is ready[\s\S]*Processes: dev (\d+), keepsake (\d+)\n/;

describe('npm run dev', function () {
  this.timeout(120_000);
  const folder = mkdtempSync(join(tmpdir(), 'keepsake-dev-'));
  let ports: { keepsake: number; emulator: number };
  const running: ScriptProcess[] = [];
  const pids: number[] = [];

  const stateFile = join(folder, 'emulator.json');
  // --no-watch: other work in this tree must not restart Keepsake during the test.
  const launch = (args: string[]) => {
    const dev = startScript('dev.ts', ['--no-watch', ...args], {
      PORT: String(ports.keepsake),
      EMULATOR_PORT: String(ports.emulator),
      EMULATOR_STATE_FILE: stateFile,
      SQLITE_PATH: join(folder, 'keepsake.sqlite'),
      LOG_LEVEL: 'warn',
    });
    running.push(dev);
    return dev;
  };
  const startDev = async (...args: string[]) => {
    const dev = launch(args);
    const [, devPid, keepsakePid] = await dev.waitFor(READY);
    pids.push(Number(devPid), Number(keepsakePid));
    return { dev, devPid: Number(devPid), keepsakePid: Number(keepsakePid) };
  };
  const stopDev = async (dev: ScriptProcess) => {
    dev.child.kill('SIGINT');
    return dev.exited;
  };

  before(async () => {
    ports = { keepsake: await freePort(), emulator: await freePort() };
  });
  after(async () => {
    // Whatever a failed test left running.
    for (const pid of pids) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    await Promise.all(running.map((dev) => dev.exited));
  });

  const emulatorUrl = () => `http://localhost:${ports.emulator}`;
  const keepsakeUrl = () => `http://localhost:${ports.keepsake}`;

  it('installs Keepsake through ACE, serves a page with its panel, and Ctrl-C stops both processes', async () => {
    const { dev, devPid, keepsakePid } = await startDev('--reset');
    const alice = SEEDED_USERS.alice.accountId;
    assert.ok(dev.stdout().includes(`${emulatorUrl()}/_emulator/login?accountId=${alice}&next=/wiki/spaces/ENG/pages/65601`), dev.stdout());

    const apps = (await (await fetch(`${emulatorUrl()}/_emulator/apps`)).json()) as { key: string; baseUrl: string; status: string }[];
    assert.deepEqual(
      apps.map((a) => [a.key, a.baseUrl, a.status]),
      [['keepsake', keepsakeUrl(), 'installed']],
    );
    // ACE registered through the UPM API, as on a real site.
    const log = (await (await fetch(`${emulatorUrl()}/_emulator/requests?method=POST&pathPrefix=/wiki/rest/plugins/1.0`)).json()) as {
      status: number;
    }[];
    assert.ok(
      log.some((entry) => entry.status === 202),
      JSON.stringify(log),
    );

    // The link printed: sign in as alice, then the page view, with the Keepsake panel's iframe.
    const signIn = await fetch(`${emulatorUrl()}/_emulator/login?accountId=${alice}&next=/wiki/spaces/ENG/pages/65601`, {
      redirect: 'manual',
    });
    assert.equal(signIn.status, 302);
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0];
    const page = await fetch(`${emulatorUrl()}/wiki/spaces/ENG/pages/65601`, { headers: { cookie } });
    assert.equal(page.status, 200);
    assert.ok((await page.text()).includes(`${keepsakeUrl()}/panel?pageId=65601`), 'the page view carries the panel iframe');
    const { url } = (await (
      await fetch(`${emulatorUrl()}/_emulator/iframe-url?appKey=keepsake&moduleKey=keepsake-panel&accountId=${alice}&pageId=65601`)
    ).json()) as {
      url: string;
    };
    const panel = await fetch(url);
    assert.equal(panel.status, 200);
    assert.match(panel.headers.get('content-type') ?? '', /text\/html/);

    assert.equal(await stopDev(dev), 0);
    assert.equal(isRunning(devPid), false);
    assert.equal(isRunning(keepsakePid), false);
    assert.match(dev.stdout(), /\[dev\] stopped\./);
  });

  it('keeps the emulated site across a restart, and starts from the seed with --reset', async () => {
    const first = await startDev();
    const added = await fetch(`${emulatorUrl()}/_emulator/pages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ spaceKey: 'ENG', title: 'Kept across restarts' }),
    });
    assert.equal(added.status, 201);
    assert.equal(await stopDev(first.dev), 0);

    const titles = async () =>
      ((await (await fetch(`${emulatorUrl()}/_emulator/pages`)).json()) as { title: string }[]).map((p) => p.title);
    const second = await startDev();
    assert.ok((await titles()).includes('Kept across restarts'));
    assert.equal(await stopDev(second.dev), 0);

    const reset = await startDev('--reset');
    assert.ok(!(await titles()).includes('Kept across restarts'));
    assert.equal(await stopDev(reset.dev), 0);
  });

  type App = { key: string; baseUrl: string; status: string; installedVia: string; installationId: string | null };
  const apps = async () => (await (await fetch(`${emulatorUrl()}/_emulator/apps`)).json()) as App[];
  const post = (path: string, body: unknown) =>
    fetch(`${emulatorUrl()}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('--forge installs Keepsake the Forge way, serves its panel, runs its scheduled trigger, and Ctrl-C stops both processes', async () => {
    const { dev, devPid, keepsakePid } = await startDev('--forge', '--reset');
    const alice = SEEDED_USERS.alice.accountId;
    const out = dev.stdout();
    assert.ok(out.includes(`${emulatorUrl()}/_emulator/login?accountId=${alice}&next=/wiki/spaces/ENG/pages/65601`), out);
    assert.ok(
      out.includes(
        `curl -X POST ${emulatorUrl()}/_emulator/forge/scheduled-triggers/run -H 'Content-Type: application/json' -d '{"appKey":"keepsake","key":"keepsake-daily-trigger"}'`,
      ),
      out,
    );

    const [app] = await apps();
    assert.deepEqual([app.key, app.baseUrl, app.status, app.installedVia], ['keepsake', keepsakeUrl(), 'installed', 'forge']);
    assert.match(app.installationId ?? '', /^ari:cloud:ecosystem::installation\//);
    // Not through UPM.
    const upm = (await (
      await fetch(`${emulatorUrl()}/_emulator/requests?method=POST&pathPrefix=/wiki/rest/plugins/1.0`)
    ).json()) as unknown[];
    assert.deepEqual(upm, []);

    const { url } = (await (
      await fetch(`${emulatorUrl()}/_emulator/iframe-url?appKey=keepsake&moduleKey=keepsake-panel&accountId=${alice}&pageId=65601`)
    ).json()) as {
      url: string;
    };
    const panel = await fetch(url);
    assert.equal(panel.status, 200);
    assert.match(panel.headers.get('content-type') ?? '', /text\/html/);

    // The command printed: the emulator invokes the trigger's endpoint on Keepsake with a FIT.
    const run = await post('/_emulator/forge/scheduled-triggers/run', { appKey: 'keepsake', key: 'keepsake-daily-trigger' });
    assert.equal(run.status, 200);
    const ran = (await run.json()) as { url: string; status: number };
    assert.deepEqual([ran.url, ran.status], [`${keepsakeUrl()}/forge/scheduled/daily`, 200]);

    assert.equal(await stopDev(dev), 0);
    assert.equal(isRunning(devPid), false);
    assert.equal(isRunning(keepsakePid), false);
    assert.match(dev.stdout(), /\[dev\] stopped/);
  });

  it('--forge updates the installation the site kept, and plain npm run dev then says to use --forge or --reset', async () => {
    // The previous test left Keepsake installed the Forge way (Ctrl-C does not uninstall it).
    const before = JSON.parse(readFileSync(stateFile, 'utf8')) as { apps: App[] };
    assert.deepEqual(
      before.apps.map((a) => [a.key, a.status, a.installedVia]),
      [['keepsake', 'installed', 'forge']],
    );

    const again = await startDev('--forge');
    assert.match(again.dev.stdout(), /Keepsake installed the Forge way: the kept installation, updated \(minor version\)/);
    const [app] = await apps();
    assert.deepEqual([app.installedVia, app.status], ['forge', 'installed']);
    assert.ok(again.dev.stdout().includes(app.installationId!), 'the same installation');
    assert.equal(await stopDev(again.dev), 0);

    const plain = launch([]);
    assert.equal(await plain.exited, 1);
    assert.match(
      plain.stdout(),
      /Keepsake \(keepsake\) is installed in the emulated site the Forge way[\s\S]*npm run dev -- --forge[\s\S]*--reset/,
    );
  });

  it('--forge on a site where Keepsake is installed through Connect (UPM) fails, saying to use --reset or uninstall it', async () => {
    // npm run dev ended without uninstalling (killed): the saved site keeps the UPM install.
    const { devPid, keepsakePid } = await startDev('--reset');
    const savedInstall = () => {
      if (!existsSync(stateFile)) return false;
      const apps = (JSON.parse(readFileSync(stateFile, 'utf8')) as { apps: App[] }).apps;
      return apps.some((a) => a.key === 'keepsake' && a.status === 'installed' && a.installedVia !== 'forge');
    };
    while (!savedInstall()) await sleep(50); // the state file is written shortly after a change
    process.kill(keepsakePid, 'SIGKILL');
    process.kill(devPid, 'SIGKILL');
    await running.at(-1)!.exited;

    const forge = launch(['--forge']);
    assert.equal(await forge.exited, 1);
    const out = forge.stdout();
    assert.match(out, /Keepsake \(keepsake\) is installed in the emulated site through Connect \(UPM\)/, out);
    assert.match(out, /npm run dev -- --forge --reset/);
    assert.match(out, /uninstall Keepsake first/);
    assert.doesNotMatch(out, /Keepsake dev is ready/);
  });
});
