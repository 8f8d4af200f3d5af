// manifest.yml, Keepsake as a Connect-on-Forge app: it is what the generator makes from
// atlassian-connect.json (so the two cannot drift apart), Atlassian's own validator
// (@forge/manifest's validate(), full validation, offline) accepts it and refuses broken
// copies of it, and it carries the descriptor's key, modules, lifecycle and scopes unchanged.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate } from '@forge/manifest';
import { parse, stringify } from 'yaml';
import { describeDifference } from '../../scripts/manifest/check';
import {
  buildManifest,
  ManifestSourceError,
  MANIFEST_PATH,
  PROJECT_ROOT,
  readDescriptor,
  renderManifest,
  type ConnectDescriptor,
} from '../../scripts/manifest/generate';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const committedText = readFileSync(MANIFEST_PATH, 'utf8');
const manifest: Json = parse(committedText);
const descriptor: Json = JSON.parse(readFileSync(join(PROJECT_ROOT, 'atlassian-connect.json'), 'utf8'));

let dir: string;
let counter = 0;

/** Writes a manifest (text or object) to a file of its own, for validate(), which reads files. */
function manifestFile(content: string | Json): string {
  const file = join(dir, `manifest-${++counter}.yml`);
  writeFileSync(file, typeof content === 'string' ? content : stringify(content));
  return file;
}

async function forgeValidate(content: string | Json): Promise<{ success: boolean; errors: string[]; warnings: string[] }> {
  const result = await validate(false, manifestFile(content));
  const all = result.errors ?? [];
  return {
    success: result.success,
    errors: all.filter((e) => e.level === 'error').map((e) => e.message),
    warnings: all.filter((e) => e.level === 'warning').map((e) => e.message),
  };
}

function copy(): Json {
  return structuredClone(manifest);
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'keepsake-manifest-test-'));
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('manifest.yml: one source of truth', () => {
  it('is exactly what `npm run manifest` generates from atlassian-connect.json and scripts/manifest/forge-template.ts', () => {
    const expected = renderManifest();
    assert.ok(
      committedText === expected,
      `manifest.yml is out of date; run \`npm run manifest\` and commit it.\n${describeDifference(committedText, expected)}`,
    );
  });

  it('`npm run manifest -- --check` exits 0 on the committed file and 1, naming the file and the changed line, on a stale copy', () => {
    const run = (file: string) =>
      spawnSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/manifest.ts', '--check', '--file', file], {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
      });
    const ok = run(MANIFEST_PATH);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /manifest\.yml is up to date/);

    const stale = manifestFile(committedText.replace('interval: day', 'interval: week'));
    const bad = run(stale);
    assert.equal(bad.status, 1, bad.stdout);
    assert.match(bad.stderr, /is out of date/);
    assert.match(bad.stderr, /Run `npm run manifest`/);
    assert.match(bad.stderr, /- +\d+ \|\s+interval: week/);
    assert.match(bad.stderr, /\+ +\d+ \|\s+interval: day/);

    const missing = run(join(dir, 'absent.yml'));
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /absent\.yml does not exist/);
  });
});

describe("manifest.yml: Atlassian's validator (@forge/manifest validate(), full validation)", () => {
  it('accepts it with no error and no warning', async () => {
    const result = await validate(false, MANIFEST_PATH);
    assert.deepEqual(result.errors ?? [], []);
    assert.equal(result.success, true);
  });

  // Each broken copy must be refused for the reason it was broken: the check above can fail.
  const broken: Array<[string, (m: Json) => void, RegExp]> = [
    [
      'an endpoint key that violates the module key pattern',
      (m) => {
        m.modules.endpoint[0].key = 'personal data!';
        m.modules.scheduledTrigger[0].endpoint = 'personal data!';
      },
      /endpoint property key 'personal data!' must match pattern/,
    ],
    [
      'a trigger key that violates the module key pattern',
      (m) => {
        m.modules.scheduledTrigger[0].key = 'daily job';
      },
      /scheduledTrigger property key 'daily job' must match pattern/,
    ],
    [
      'no remotes at all',
      (m) => {
        delete m.remotes;
      },
      /no remote found with key 'keepsake' matching app\.connect\.remote/,
    ],
    [
      'app.connect.remote naming a remote that is not there',
      (m) => {
        m.app.connect.remote = 'elsewhere';
      },
      /no remote found with key 'elsewhere'/,
    ],
    [
      'connectModules without app.connect.remote',
      (m) => {
        delete m.app.connect.remote;
      },
      /app\.connect\.remote is required if connectModules are present/,
    ],
    [
      'a misspelt Connect module type',
      (m) => {
        m.connectModules['confluence:webPanelz'] = m.connectModules['confluence:webPanels'];
        delete m.connectModules['confluence:webPanels'];
      },
      /invalid value 'confluence:webPanelz' in connectModules/,
    ],
    [
      'two lifecycle entries',
      (m) => {
        m.connectModules['confluence:lifecycle'].push({ key: 'second-lifecycle', installed: '/installed' });
      },
      /'confluence:lifecycle' should contain only one element/,
    ],
    [
      'a scope Forge does not know',
      (m) => {
        m.permissions.scopes.push('read:everything:confluence');
      },
      /Invalid 'scopes' permission .* 'read:everything:confluence'/,
    ],
    [
      'a trigger calling an endpoint that is not declared',
      (m) => {
        m.modules.scheduledTrigger[0].endpoint = 'no-such-endpoint';
      },
      /scheduledTrigger references undefined endpoint module with key 'no-such-endpoint'/,
    ],
    [
      'the older `appSystemToken: true` form of endpoint auth',
      (m) => {
        m.modules.endpoint[0].auth = { appSystemToken: true };
      },
      /appSystemToken must be object/,
    ],
    [
      'a module key used twice',
      (m) => {
        m.modules.connectToForgeMigration[0].key = 'keepsake-panel';
      },
      /duplicate module key 'keepsake-panel'/,
    ],
  ];

  for (const [what, breakIt, reason] of broken) {
    it(`refuses a copy with ${what}`, async () => {
      const m = copy();
      breakIt(m);
      const result = await forgeValidate(m);
      assert.equal(result.success, false, `accepted: ${JSON.stringify(m)}`);
      assert.ok(
        result.errors.some((e) => reason.test(e)),
        `errors: ${JSON.stringify(result.errors)}`,
      );
    });
  }

  it("the unbroken copy, written the same way, is accepted (so the refusals above are the breakages')", async () => {
    const result = await forgeValidate(copy());
    assert.deepEqual(result.errors, []);
    assert.equal(result.success, true);
  });

  it('does not check what is inside connectModules: the generator does (a bad Connect module key)', async () => {
    const m = copy();
    m.connectModules['confluence:webPanels'][0].key = 'bad key!';
    assert.equal((await forgeValidate(m)).success, true, '@forge/manifest now checks Connect module keys: this test can go');
    const bad = structuredClone(descriptor) as ConnectDescriptor;
    (bad.modules!.webPanels as Json[])[0].key = 'bad key!';
    assert.throws(
      () => buildManifest({ descriptor: bad }),
      (err: unknown) => err instanceof ManifestSourceError && /bad key!/.test(err.message),
    );
  });
});

describe('manifest.yml: the Connect app it declares', () => {
  it("keeps the descriptor's key, authenticates with jwt, and names a remote whose baseUrl is Keepsake's", () => {
    assert.equal(manifest.app.connect.key, descriptor.key);
    assert.equal(manifest.app.connect.authentication, descriptor.authentication.type);
    const remote = (manifest.remotes as Json[]).find((r) => r.key === manifest.app.connect.remote);
    assert.ok(remote, `no remote ${manifest.app.connect.remote}`);
    assert.equal(typeof remote.baseUrl, 'string');
    assert.match(remote.baseUrl, /^https:\/\/[^/]+$/);
    assert.deepEqual(remote.storage, { inScopeEUD: true }, 'Keepsake stores end-user data on its remote');
    assert.match(manifest.app.id, /^ari:cloud:ecosystem::app\/[0-9a-f-]{36}$/);
    assert.ok(['nodejs20.x', 'nodejs22.x', 'nodejs24.x'].includes(manifest.app.runtime.name));
  });

  it("connectModules are exactly the descriptor's modules (each type a list) and its lifecycle", () => {
    const expected: Json = {};
    for (const [type, entries] of Object.entries(descriptor.modules as Json)) {
      expected[`confluence:${type}`] = Array.isArray(entries) ? entries : [entries];
    }
    const { ['confluence:lifecycle']: lifecycle, ...modules } = manifest.connectModules as Json;
    assert.deepEqual(modules, expected);
    assert.equal(lifecycle.length, 1);
    const { key, ...events } = lifecycle[0];
    assert.match(key, /^[a-zA-Z0-9_-]+$/);
    assert.deepEqual(events, descriptor.lifecycle);
  });

  it("asks for the descriptor's Connect scopes in Forge spelling, and what the remote needs with Forge tokens", () => {
    const forgeSpelling: Record<string, string> = {
      READ: 'read:connect-confluence',
      WRITE: 'write:connect-confluence',
      ACT_AS_USER: 'act-as-user:connect-confluence',
      DELETE: 'delete:connect-confluence',
      ADMIN: 'admin:connect-confluence',
      SPACE_ADMIN: 'space-admin:connect-confluence',
    };
    const scopes = manifest.permissions.scopes as string[];
    const connectScopes = scopes.filter((s) => s.endsWith(':connect-confluence'));
    assert.deepEqual(
      connectScopes,
      (descriptor.scopes as string[]).map((s) => forgeSpelling[s]),
    );
    for (const needed of [
      'read:user.property:confluence',
      'write:user.property:confluence',
      'read:app-data:confluence',
      'write:app-data:confluence',
      'read:app-system-token',
      'read:app-user-token',
    ]) {
      assert.ok(scopes.includes(needed), `missing ${needed}`);
    }
    assert.equal(new Set(scopes).size, scopes.length, 'a scope is listed twice');
  });

  it("declares the periodic job: an endpoint on Keepsake's remote at /forge/scheduled/daily with an app system token, and a trigger calling it", () => {
    const endpoint = (manifest.modules.endpoint as Json[]).find((e) => e.route?.path === '/forge/scheduled/daily');
    assert.ok(endpoint, 'no endpoint at /forge/scheduled/daily');
    assert.equal(endpoint.remote, manifest.app.connect.remote);
    assert.deepEqual(endpoint.auth, { appSystemToken: { enabled: true } });
    const trigger = (manifest.modules.scheduledTrigger as Json[]).find((t) => t.endpoint === endpoint.key);
    assert.ok(trigger, `no scheduledTrigger calls ${endpoint.key}`);
    assert.ok(['fiveMinute', 'hour', 'day', 'week'].includes(trigger.interval));
  });

  it('tells site admins about the move: connectToForgeMigration with an https guide, its commitment a string for YAML 1.1 readers too', () => {
    const [migration] = manifest.modules.connectToForgeMigration as Json[];
    assert.match(migration.migrationGuideUrl, /^https:\/\//);
    assert.ok(['YES', 'NO', 'UNDECIDED'].includes(migration.willMigrateToForgeBeforeEOS));
    const asYaml11: Json = parse(committedText, { version: '1.1' });
    assert.deepEqual(asYaml11, manifest, 'a YAML 1.1 reader reads manifest.yml differently');
  });
});

describe('renderManifest(): the same manifest for a tunnel or the emulator', () => {
  const tunnel = 'https://keepsake-dev.ngrok-free.app';
  const appId = '4f1f0d0e-2b7c-4c3e-9a51-0d2f5b8e7c11';

  it("changes only the remote's baseUrl and the app id, says so in its header, and validates", async () => {
    const text = renderManifest({ remoteBaseUrl: `${tunnel}/`, appId });
    const rendered: Json = parse(text);
    const expected = copy();
    expected.remotes[0].baseUrl = tunnel;
    expected.app.id = `ari:cloud:ecosystem::app/${appId}`;
    assert.deepEqual(rendered, expected);
    assert.match(text, /RENDERED for development with remote baseUrl https:\/\/keepsake-dev\.ngrok-free\.app/);
    const result = await forgeValidate(text);
    assert.deepEqual(result.errors, []);
  });

  it("renders the local emulator's http://localhost URL too, and @forge/manifest accepts it", async () => {
    const rendered: Json = parse(renderManifest({ remoteBaseUrl: 'http://localhost:3000' }));
    assert.equal(rendered.remotes[0].baseUrl, 'http://localhost:3000');
    assert.deepEqual((await forgeValidate(rendered)).errors, []);
  });

  it('refuses a remote that is not https (other than localhost), a URL with a query, and an app id that is not one', () => {
    const refused = (options: Parameters<typeof renderManifest>[0], reason: RegExp) =>
      assert.throws(
        () => renderManifest(options),
        (err: unknown) => err instanceof ManifestSourceError && reason.test(err.message),
      );
    refused({ remoteBaseUrl: 'http://keepsake.example.com' }, /must be https/);
    refused({ remoteBaseUrl: 'keepsake.example.com' }, /not an absolute URL/);
    refused({ remoteBaseUrl: 'https://keepsake.example.com/?x=1' }, /no query/);
    refused({ appId: 'my-app' }, /neither ari:cloud:ecosystem::app\/<uuid> nor a UUID/);
  });

  it('follows the descriptor: a module type added there appears in connectModules; {{placeholders}} in module URLs are refused', () => {
    const more = readDescriptor();
    more.modules = {
      ...more.modules,
      webItems: [{ key: 'keepsake-menu', name: { value: 'Keepsake' }, url: '/my-keepsake', location: 'system.header/left' }],
    };
    const built = buildManifest({ descriptor: more }) as Json;
    assert.deepEqual(built.connectModules['confluence:webItems'], more.modules.webItems);

    const templated = readDescriptor();
    (templated.modules!.generalPages as Json[])[0].url = '{{localBaseUrl}}/my-keepsake';
    assert.throws(() => buildManifest({ descriptor: templated }), /placeholders/);
  });
});
