// `npm run dev:tunnel` fails fast, offline, with a message that says what to fix: no
// credentials, placeholders left in, no ngrok token, a site that refuses or does not answer,
// a tunnel that cannot open.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../emulator';
import { freePort } from '../support/keepsake-process';
import { PROJECT, runScript } from './dev-script';

describe('npm run dev:tunnel failures', function () {
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
  const site = (host: string, username = 'you@example.com', password = 'api-token') => ({ [host]: { product: 'confluence', username, password } });
  const tunnel = async (file: string, env: Record<string, string> = {}) => runScript('dev-tunnel.ts', ['--credentials', file, '--no-watch'], env);

  it('without credentials.json, says to copy the example and what to fill in', async () => {
    const run = await tunnel(join(folder, 'credentials.json'));
    assert.equal(run.code, 1);
    assert.match(run.stderr, /No .*credentials\.json\. Copy credentials\.example\.json to credentials\.json and fill in your Confluence Cloud developer site/);
  });

  it("with the example's placeholders, asks for an API token", async () => {
    const run = await tunnel(join(PROJECT, 'credentials.example.json'));
    assert.equal(run.code, 1);
    assert.match(run.stderr, /password must be an API token from https:\/\/id\.atlassian\.com/);
  });

  it('without an ngrok authtoken, says where to get one', async () => {
    const run = await tunnel(credentials('no-ngrok.json', { hosts: site('https://your-site.atlassian.net') }));
    assert.equal(run.code, 1);
    assert.match(run.stderr, /has no ngrok authtoken: add "ngrok": \{"authtoken": "…"\} with the token from https:\/\/dashboard\.ngrok\.com/);
  });

  it('when the site refuses the account (401), names the e-mail and API token', async () => {
    const run = await tunnel(credentials('refused.json', { hosts: site(`http://127.0.0.1:${refusingPort}`), ngrok: { authtoken: 'token' } }));
    assert.equal(run.code, 1);
    assert.match(run.stderr, /refused the account \(401\)\. In credentials\.json, "username" must be your Atlassian account's e-mail and "password" an API token/);
  });

  it('when nothing answers at the site, says it cannot reach it', async () => {
    const run = await tunnel(credentials('unreachable.json', { hosts: site(`http://127.0.0.1:${await freePort()}`), ngrok: { authtoken: 'token' } }));
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Cannot reach http:\/\/127\.0\.0\.1:\d+\/wiki \(connect ECONNREFUSED[^)]*\)\. Check the site's address/);
  });

  it("when the site stops answering during ACE's register(), gives up at the time limit", async () => {
    // Answers the first question (development mode on), then never answers the install API.
    const silent = createServer((req, res) => {
      if (req.url?.startsWith('/wiki/rest/plugins/1.0/settings')) res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"settings":[]}');
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
      assert.match(run.stderr, /Keepsake was not installed: ACE's register\(\) did not finish within 1 s: the tunnel or the site did not answer \(KEEPSAKE_REGISTER_TIMEOUT_MS sets the limit\)/);
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
      assert.match(run.stderr, /Keepsake was not installed: Could not open the ngrok tunnel: .*Check "ngrok": \{"authtoken": …\} in credentials\.json/);
      const apps = (await (await fetch(`${emulator.baseUrl}/_emulator/apps`)).json()) as unknown[];
      assert.deepEqual(apps, []);
    } finally {
      await emulator.close();
    }
  });
});
