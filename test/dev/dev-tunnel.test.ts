// `npm run dev:tunnel` fails fast, offline, with a message that says what to fix.
//
// The Connect-on-Forge loop (the default) is driven here through a stand-in for Atlassian's
// Forge CLI: a `forge` executable on the PATH that records each command and answers as the
// scenario says (the real CLI cannot reach Atlassian from here). It is a double of an external
// tool, not of Keepsake: the dev script, Keepsake, the manifest and the site check are real. A
// stand-in site answers /_edge/tenant_info as an Atlassian Cloud site does.
//
// The descriptor-URL loop (`--connect`) keeps its own failures: no credentials, placeholders,
// no ngrok token, a site that refuses or does not answer, a tunnel that cannot open.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse } from 'yaml';
import { startEmulator } from '../../emulator';
import { freePort } from '../support/keepsake-process';
import { isRunning, PROJECT, runScript, startScript } from './dev-script';

const APP_UUID = '5d1c0ffe-1234-4321-8765-0123456789ab';
const APP_ID = `ari:cloud:ecosystem::app/${APP_UUID}`;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Failures are printed as the CLI prints them (an `Error: ` line, then its --verbose hint). The
// not-logged-in text is the CLI's own (Text in @forge/cli-shared 9.3.0); the others are made up.
const FAKE_FORGE = `#!/usr/bin/env node
const fs = require('node:fs');
const args = process.argv.slice(2);
fs.appendFileSync(process.env.FAKE_FORGE_LOG, JSON.stringify({ args, cwd: process.cwd(), pid: process.pid }) + '\\n');
const scenario = (name) => process.env['FAKE_FORGE_' + name] || 'ok';
const fail = (message) => {
  console.log('\\nError: ' + message + '\\n');
  console.log('Rerunning the command with --verbose may give more details.');
  process.exit(1);
};
const [command, sub] = args;
if (command === 'whoami') {
  if (scenario('WHOAMI') === 'not-logged-in') {
    fail('Not logged in. If a local keychain is available, run forge login, otherwise set environment variables before trying again. See https://developer.atlassian.com/platform/forge/getting-started/ for more.');
  }
  console.log('Logged in as Dev Eloper (dev@example.com)\\nAccount ID: 712020:0000');
} else if (command === 'register') {
  if (scenario('REGISTER') === 'refuse') fail('You have reached the limit of apps you can register.');
  const manifest = fs.readFileSync('manifest.yml', 'utf8');
  fs.writeFileSync('manifest.yml', manifest.replace(/id: ari:cloud:ecosystem::app\\/[0-9a-f-]+/, 'id: ${APP_ID}'));
  console.log('✔ Registered ' + args[1]);
} else if (command === 'deploy') {
  if (scenario('DEPLOY') === 'refuse') fail('Deployment failed: app.connect.key keepsake is already used by another app.');
  if (scenario('DEPLOY') === 'hang') setInterval(() => undefined, 1000);
  else console.log('✔ Deployed');
} else if (command === 'install' && sub === 'list') {
  const site = process.env.FAKE_FORGE_INSTALLED_ON;
  console.log(JSON.stringify(site ? [{ id: 'inst-1', environment: 'development', site, product: 'Confluence', majorVersion: '2 (Latest)', appVersion: '2', status: 'Up-to-date' }] : [], null, 2));
} else if (command === 'install') {
  if (scenario('INSTALL') === 'refuse') fail('Insufficient permissions to install the app on this site.');
  console.log('✔ Install complete!');
} else {
  fail('unknown command ' + command);
}
`;

interface ForgeCall {
  args: string[];
  cwd: string;
  pid: number;
}

describe('npm run dev:tunnel (Connect on Forge)', function () {
  this.timeout(60_000);
  const folder = mkdtempSync(join(tmpdir(), 'keepsake-forge-tunnel-'));
  const fakeBin = join(folder, 'bin');
  const noForgeBin = join(folder, 'no-forge-bin');
  let site: Server;
  let siteHost: string;
  let siteRequests: string[] = [];
  let notCloud: Server;
  let notCloudHost: string;
  let run = 0;

  before(async () => {
    mkdirSync(fakeBin);
    mkdirSync(noForgeBin);
    writeFileSync(join(fakeBin, 'forge'), FAKE_FORGE);
    chmodSync(join(fakeBin, 'forge'), 0o755);
    // A stand-in for an Atlassian Cloud site: /_edge/tenant_info answers its cloud id.
    site = createServer((req: IncomingMessage, res) => {
      siteRequests.push(req.url ?? '');
      if (req.url === '/_edge/tenant_info')
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"cloudId":"0c3130ff-0000-4000-8000-000000000001"}');
      else res.writeHead(404).end();
    });
    notCloud = createServer((_req, res) => res.writeHead(404, { 'Content-Type': 'text/html' }).end('<h1>Not Found</h1>'));
    await Promise.all([site, notCloud].map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
    siteHost = `127.0.0.1:${(site.address() as { port: number }).port}`;
    notCloudHost = `127.0.0.1:${(notCloud.address() as { port: number }).port}`;
  });
  after(async () => {
    for (const server of [site, notCloud]) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  /** A fresh dev folder, credentials file and CLI log for one run. */
  const fresh = (credentials: unknown = { hosts: { [`http://${siteHost}`]: { product: 'confluence' } } }) => {
    // null: no credentials file at all.
    run += 1;
    const dir = join(folder, `run-${run}`);
    mkdirSync(dir);
    const credentialsFile = join(dir, 'credentials.json');
    if (credentials !== null) writeFileSync(credentialsFile, JSON.stringify(credentials));
    const devDir = join(dir, 'forge-dev');
    const logFile = join(dir, 'forge-calls.jsonl');
    siteRequests = [];
    return {
      dir,
      credentialsFile,
      devDir,
      /** The Forge CLI commands the script ran, in order. */
      calls: (): ForgeCall[] =>
        existsSync(logFile)
          ? readFileSync(logFile, 'utf8')
              .trim()
              .split('\n')
              .map((line) => JSON.parse(line) as ForgeCall)
          : [],
      env: (extra: Record<string, string> = {}): Record<string, string> => ({
        PATH: `${fakeBin}${delimiter}${process.env.PATH}`,
        FAKE_FORGE_LOG: logFile,
        KEEPSAKE_FORGE_DEV_DIR: devDir,
        SQLITE_PATH: join(dir, 'keepsake.sqlite'),
        LOG_LEVEL: 'silent',
        FORGE_EMAIL: '',
        FORGE_API_TOKEN: '',
        KEEPSAKE_FORGE_APP_ID: '',
        AC_LOCAL_BASE_URL: '',
        ...extra,
      }),
    };
  };
  const tunnel = (credentialsFile: string, env: Record<string, string>) =>
    runScript('dev-tunnel.ts', ['--credentials', credentialsFile, '--no-watch'], env);
  /** A tunnel of one's own (AC_LOCAL_BASE_URL) on a free port: no ngrok, so the whole loop runs offline. */
  const ownTunnel = async () => {
    const port = await freePort();
    return { PORT: String(port), AC_LOCAL_BASE_URL: `http://localhost:${port}` };
  };
  const commands = (calls: ForgeCall[]) => calls.map((call) => call.args.join(' '));

  it('without credentials.json, says to copy the example and write the site and the ngrok authtoken', async () => {
    const t = fresh(null);
    const result = await tunnel(t.credentialsFile, t.env());
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Not ready to deploy Keepsake with Forge; fix this and run again:/);
    assert.match(
      result.stderr,
      /No .*credentials\.json\. Copy credentials\.example\.json to credentials\.json, write your Confluence Cloud developer site as the key of "hosts" and your ngrok authtoken/,
    );
  });

  it("with the example's site, asks for your own site", async () => {
    const t = fresh();
    const result = await tunnel(join(PROJECT, 'credentials.example.json'), t.env());
    assert.equal(result.code, 1);
    assert.match(result.stderr, /still names the example site https:\/\/your-site\.atlassian\.net: write your own developer site/);
  });

  it('without the Forge CLI on the PATH, says how to install it, and starts nothing', async () => {
    const t = fresh();
    const result = await tunnel(t.credentialsFile, t.env({ PATH: noForgeBin, ...(await ownTunnel()) }));
    assert.equal(result.code, 1);
    assert.match(result.stderr, /The Forge CLI \(forge\) is not on your PATH\. Install it with `npm install -g @forge\/cli`/);
    assert.deepEqual(siteRequests, []);
    assert.doesNotMatch(result.stdout, /starting Keepsake/);
  });

  it('with FORGE_EMAIL but no FORGE_API_TOKEN, names it before the CLI runs or the network is asked anything', async () => {
    const t = fresh();
    const result = await tunnel(t.credentialsFile, t.env({ FORGE_EMAIL: 'dev@example.com', ...(await ownTunnel()) }));
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /FORGE_EMAIL is set but FORGE_API_TOKEN is not, so the Forge CLI would ignore both: set FORGE_API_TOKEN too .* or unset both and run `forge login`/,
    );
    assert.deepEqual(t.calls(), []);
    assert.deepEqual(siteRequests, []);
  });

  it('names every missing thing at once: no Forge CLI, half the Forge credentials, no ngrok authtoken', async () => {
    const t = fresh({ hosts: { [`http://${siteHost}`]: { product: 'confluence' } } });
    const result = await tunnel(t.credentialsFile, t.env({ PATH: noForgeBin, FORGE_API_TOKEN: 'token' }));
    assert.equal(result.code, 1);
    assert.match(result.stderr, /fix these and run again:/);
    assert.match(result.stderr, /- .*has no ngrok authtoken: add "ngrok": \{"authtoken": "…"\}/);
    assert.match(result.stderr, /- The Forge CLI \(forge\) is not on your PATH/);
    assert.match(result.stderr, /- FORGE_API_TOKEN is set but FORGE_EMAIL is not/);
  });

  it('not logged in to the Forge CLI: says to run forge login or set FORGE_EMAIL and FORGE_API_TOKEN, before the site is asked', async () => {
    const t = fresh();
    const result = await tunnel(t.credentialsFile, t.env({ FAKE_FORGE_WHOAMI: 'not-logged-in', ...(await ownTunnel()) }));
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /No Forge credentials: run `forge login` \(your Atlassian account's e-mail and an API token from https:\/\/id\.atlassian\.com\/manage-profile\/security\/api-tokens\), or set FORGE_EMAIL and FORGE_API_TOKEN\. \(forge whoami: Not logged in\./,
    );
    assert.deepEqual(commands(t.calls()), ['whoami']);
    assert.deepEqual(siteRequests, []);
  });

  it('when nothing answers at the site, says it cannot reach it', async () => {
    const t = fresh({ hosts: { [`http://127.0.0.1:${await freePort()}`]: {} } });
    const result = await tunnel(t.credentialsFile, t.env(await ownTunnel()));
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /Cannot reach http:\/\/127\.0\.0\.1:\d+ \(connect ECONNREFUSED[^)]*\)\. Check the site's address in credentials\.json and your connection\./,
    );
    assert.deepEqual(commands(t.calls()), ['whoami']);
  });

  it('when the site is not an Atlassian Cloud site, says how to write one', async () => {
    const t = fresh({ hosts: { [`http://${notCloudHost}`]: {} } });
    const result = await tunnel(t.credentialsFile, t.env(await ownTunnel()));
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /http:\/\/127\.0\.0\.1:\d+ is not an Atlassian Cloud site \(no \/_edge\/tenant_info, 404\)\. Write your developer site as https:\/\/<name>\.atlassian\.net/,
    );
  });

  it('registers an app once, deploys the manifest pointed at the tunnel, installs it; Ctrl-C stops Keepsake and leaves it installed', async () => {
    const t = fresh();
    const own = await ownTunnel();
    const script = startScript('dev-tunnel.ts', ['--credentials', t.credentialsFile, '--no-watch'], t.env(own));
    try {
      await script.waitFor(/Keepsake dev:tunnel \(Connect on Forge\) is ready/);
      assert.match(
        script.stdout(),
        /no Forge app of yours yet .*: registering one, once, with `forge register "Keepsake \(development\)"`/,
      );
      assert.deepEqual(commands(t.calls()), [
        'whoami',
        'register Keepsake (development)',
        'deploy -e development --non-interactive',
        'install list --json',
        `install --site ${siteHost} --product confluence -e development --non-interactive --confirm-scopes`,
      ]);
      // Every command but the credentials check ran in the dev folder, on its manifest.
      for (const call of t.calls()) assert.equal(call.cwd, t.devDir);
      assert.equal(readFileSync(join(t.devDir, 'app-id'), 'utf8').trim(), APP_ID);
      const manifest = parse(readFileSync(join(t.devDir, 'manifest.yml'), 'utf8')) as {
        app: { id: string; connect: { key: string } };
        remotes: { baseUrl: string }[];
      };
      assert.equal(manifest.app.id, APP_ID);
      assert.equal(manifest.app.connect.key, 'keepsake');
      assert.equal(manifest.remotes[0].baseUrl, own.AC_LOCAL_BASE_URL);
      assert.deepEqual(siteRequests, ['/_edge/tenant_info']);
      // Keepsake runs behind the tunnel, and its descriptor names the same base URL as the remote
      // (the `aud` of the signed install that forge install sends).
      const descriptor = (await (await fetch(`${own.AC_LOCAL_BASE_URL}/atlassian-connect.json`)).json()) as {
        baseUrl: string;
        key: string;
      };
      assert.equal(descriptor.baseUrl, own.AC_LOCAL_BASE_URL);
      assert.equal(descriptor.key, manifest.app.connect.key);

      script.child.kill('SIGINT');
      assert.equal(await script.exited, 0);
      assert.match(
        script.stdout(),
        new RegExp(
          `Keepsake stays installed on ${escape(siteHost)} .*To uninstall: cd .*forge-dev && forge uninstall --site ${escape(siteHost)} --product confluence -e development`,
        ),
      );
      assert.ok(!commands(t.calls()).some((command) => command.startsWith('uninstall')));
      await assert.rejects(fetch(`${own.AC_LOCAL_BASE_URL}/atlassian-connect.json`));
    } finally {
      script.child.kill('SIGKILL');
    }
  });

  it('with the app id kept from an earlier start and the app on the site, registers nothing and upgrades the installation', async () => {
    const t = fresh();
    mkdirSync(t.devDir);
    writeFileSync(join(t.devDir, 'app-id'), `${APP_ID}\n`);
    const script = startScript(
      'dev-tunnel.ts',
      ['--credentials', t.credentialsFile, '--no-watch'],
      t.env({ FAKE_FORGE_INSTALLED_ON: siteHost, ...(await ownTunnel()) }),
    );
    try {
      await script.waitFor(/is ready/);
      assert.deepEqual(commands(t.calls()), [
        'whoami',
        'deploy -e development --non-interactive',
        'install list --json',
        `install --upgrade --site ${siteHost} --product confluence -e development --non-interactive --confirm-scopes`,
      ]);
      script.child.kill('SIGINT');
      assert.equal(await script.exited, 0);
    } finally {
      script.child.kill('SIGKILL');
    }
  });

  it('when forge register is refused, relays the CLI and says how to give an app id instead; nothing starts', async () => {
    const t = fresh();
    const result = await tunnel(t.credentialsFile, t.env({ FAKE_FORGE_REGISTER: 'refuse', ...(await ownTunnel()) }));
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /`forge register` did not register Keepsake's development app: You have reached the limit of apps you can register\. Fix what it names and run again, or register an app yourself .* and set KEEPSAKE_FORGE_APP_ID to its id\./,
    );
    assert.deepEqual(commands(t.calls()), ['whoami', 'register Keepsake (development)']);
    assert.doesNotMatch(result.stdout, /starting Keepsake/);
    assert.ok(!existsSync(join(t.devDir, 'app-id')));
  });

  it("when forge deploy is refused, relays the CLI's message, installs nothing and stops Keepsake", async () => {
    const t = fresh();
    const own = await ownTunnel();
    const result = await tunnel(t.credentialsFile, t.env({ KEEPSAKE_FORGE_APP_ID: APP_UUID, FAKE_FORGE_DEPLOY: 'refuse', ...own }));
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /`forge deploy -e development` was refused: Deployment failed: app\.connect\.key keepsake is already used by another app\. The manifest: .*forge-dev\/manifest\.yml \(app ari:cloud:ecosystem::app\/5d1c0ffe-[0-9a-f-]+ from KEEPSAKE_FORGE_APP_ID; remote http:\/\/localhost:\d+\)\. If the app is not one of your account's, unset KEEPSAKE_FORGE_APP_ID/,
    );
    assert.deepEqual(commands(t.calls()), ['whoami', 'deploy -e development --non-interactive']);
    assert.match(result.stdout, /starting Keepsake/);
    await assert.rejects(fetch(`${own.AC_LOCAL_BASE_URL}/atlassian-connect.json`));
  });

  it("when forge install is refused, relays the CLI's message and says what the install needs", async () => {
    const t = fresh();
    const result = await tunnel(
      t.credentialsFile,
      t.env({ KEEPSAKE_FORGE_APP_ID: APP_ID, FAKE_FORGE_INSTALL: 'refuse', ...(await ownTunnel()) }),
    );
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      new RegExp(
        `\`forge install\` on ${escape(siteHost)} was refused: Insufficient permissions to install the app on this site\\. The account must be an administrator of ${escape(siteHost)}, and Confluence must be on it\\. Keepsake is deployed; .*forge install --site`,
      ),
    );
    assert.doesNotMatch(result.stdout, /stays installed/);
  });

  it('ends a forge deploy that does not finish at KEEPSAKE_FORGE_TIMEOUT_MS, and the CLI with it', async () => {
    const t = fresh();
    const result = await tunnel(
      t.credentialsFile,
      t.env({ KEEPSAKE_FORGE_APP_ID: APP_ID, FAKE_FORGE_DEPLOY: 'hang', KEEPSAKE_FORGE_TIMEOUT_MS: '1000', ...(await ownTunnel()) }),
    );
    assert.equal(result.code, 1);
    assert.match(result.stderr, /`forge deploy -e development` did not finish within 1 s \(KEEPSAKE_FORGE_TIMEOUT_MS sets the limit\)/);
    const deploy = t.calls().find((call) => call.args[0] === 'deploy');
    assert.ok(deploy);
    assert.equal(isRunning(deploy.pid), false);
  });

  it('when the ngrok tunnel cannot open, says so before anything is deployed', async () => {
    const t = fresh({ hosts: { [`http://${siteHost}`]: {} }, ngrok: { authtoken: 'not-a-real-token' } });
    const result = await tunnel(t.credentialsFile, t.env({ KEEPSAKE_FORGE_APP_ID: APP_ID, PORT: String(await freePort()) }));
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Could not open the ngrok tunnel: .*Check "ngrok": \{"authtoken": …\} in credentials\.json/);
    assert.deepEqual(commands(t.calls()), ['whoami']);
  });
});

describe('npm run dev:tunnel -- --connect (descriptor-URL install) failures', function () {
  this.timeout(60_000);
  const folder = mkdtempSync(join(tmpdir(), 'keepsake-tunnel-'));
  let refusing: Server;
  let refusingPort: number;

  before(async () => {
    // A stand-in for a site that refuses the account.
    refusing = createServer((_req, res) => res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"message":"Unauthorized"}'));
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    refusingPort = (refusing.address() as { port: number }).port;
  });
  after(() => new Promise<void>((resolve) => refusing.close(() => resolve())));

  const credentials = (name: string, content: unknown) => {
    const file = join(folder, name);
    writeFileSync(file, JSON.stringify(content));
    return file;
  };
  const site = (host: string, username = 'you@example.com', password = 'api-token') => ({
    [host]: { product: 'confluence', username, password },
  });
  const tunnel = async (file: string, env: Record<string, string> = {}) =>
    runScript('dev-tunnel.ts', ['--connect', '--credentials', file, '--no-watch'], env);

  it('without credentials.json, says to copy the example and what to fill in, and says which loop this is', async () => {
    const run = await tunnel(join(folder, 'credentials.json'));
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      /\[dev:tunnel --connect\] descriptor-URL install \(Connect development mode\), only for sites that still allow it/,
    );
    assert.match(
      run.stderr,
      /No .*credentials\.json\. Copy credentials\.example\.json to credentials\.json and fill in your Confluence Cloud developer site/,
    );
  });

  it("with the example's placeholders, asks for an API token", async () => {
    const run = await tunnel(join(PROJECT, 'credentials.example.json'));
    assert.equal(run.code, 1);
    assert.match(run.stderr, /password must be an API token from https:\/\/id\.atlassian\.com/);
  });

  it('without an ngrok authtoken, says where to get one', async () => {
    const run = await tunnel(credentials('no-ngrok.json', { hosts: site('https://your-site.atlassian.net') }));
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /has no ngrok authtoken: add "ngrok": \{"authtoken": "…"\} with the token from https:\/\/dashboard\.ngrok\.com/,
    );
  });

  it('when the site refuses the account (401), names the e-mail and API token', async () => {
    const run = await tunnel(
      credentials('refused.json', { hosts: site(`http://127.0.0.1:${refusingPort}`), ngrok: { authtoken: 'token' } }),
    );
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /refused the account \(401\)\. In credentials\.json, "username" must be your Atlassian account's e-mail and "password" an API token/,
    );
  });

  it('when nothing answers at the site, says it cannot reach it', async () => {
    const run = await tunnel(
      credentials('unreachable.json', { hosts: site(`http://127.0.0.1:${await freePort()}`), ngrok: { authtoken: 'token' } }),
    );
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Cannot reach http:\/\/127\.0\.0\.1:\d+\/wiki \(connect ECONNREFUSED[^)]*\)\. Check the site's address/);
  });

  it("when the site stops answering during ACE's register(), gives up at the time limit and points at the Forge loop", async () => {
    // Answers the first question (development mode on), then never answers the install API.
    const silent = createServer((req, res) => {
      if (req.url?.startsWith('/wiki/rest/plugins/1.0/settings'))
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"settings":[]}');
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = await freePort();
      const file = credentials('silent.json', { hosts: site(`http://127.0.0.1:${(silent.address() as { port: number }).port}`) });
      // A tunnel of one's own (AC_LOCAL_BASE_URL): no ngrok, straight to the site.
      const run = await tunnel(file, {
        AC_LOCAL_BASE_URL: `http://localhost:${port}`,
        PORT: String(port),
        SQLITE_PATH: join(folder, 'keepsake.sqlite'),
        LOG_LEVEL: 'silent',
        KEEPSAKE_REGISTER_TIMEOUT_MS: '1000',
      });
      assert.equal(run.code, 1);
      assert.match(
        run.stderr,
        /Keepsake was not installed: ACE's register\(\) did not finish within 1 s: the tunnel or the site did not answer \(KEEPSAKE_REGISTER_TIMEOUT_MS sets the limit\)/,
      );
      assert.match(
        run.stderr,
        /Since 2026-03-31 Atlassian blocks installing private Connect apps from a descriptor URL.*run `npm run dev:tunnel` without --connect \(Connect on Forge\)/,
      );
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('when the tunnel cannot open, says so and stops Keepsake', async () => {
    // A site that accepts the account (the emulator); 127.0.0.1 is not "localhost" to ACE, so it
    // opens an ngrok tunnel first, which this token (offline, or refused by ngrok) cannot.
    const emulator = await startEmulator({ port: 0 });
    try {
      const file = credentials('bad-tunnel.json', {
        hosts: site(`http://127.0.0.1:${emulator.port}`, emulator.admin.username, emulator.admin.password),
        ngrok: { authtoken: 'not-a-real-token' },
      });
      const run = await tunnel(file, { PORT: String(await freePort()), SQLITE_PATH: join(folder, 'keepsake.sqlite'), LOG_LEVEL: 'silent' });
      assert.equal(run.code, 1);
      assert.match(
        run.stderr,
        /Keepsake was not installed: Could not open the ngrok tunnel: .*Check "ngrok": \{"authtoken": …\} in credentials\.json/,
      );
      const apps = (await (await fetch(`${emulator.baseUrl}/_emulator/apps`)).json()) as unknown[];
      assert.deepEqual(apps, []);
    } finally {
      await emulator.close();
    }
  });
});
