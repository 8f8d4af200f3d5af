// Calls as the app are signed by Keepsake itself (platform/connect/ace-transport.ts), with
// atlassian-jwt and the install record, instead of through ACE's httpClient: the emulator checks
// each token the way Confluence does (HS256 with the install's secret, the query-string hash of
// the path below /wiki), so a call it answers was signed right. A secret changed by a reinstall
// that another instance took is met with one fresh try, never with a refusal.
import assert from 'node:assert/strict';
import { SEEDED_USERS } from '../../emulator';
import { SigningFailure, type TransportRequest } from '../../lib/confluence/transport';
import { AceTransport } from '../../platform/connect/ace-transport';
import { AceInstallRecords } from '../../platform/connect/install-records';
import { startStack, type Stack } from '../support/keepsake-stack';

const alice = SEEDED_USERS.alice.accountId;

interface LoggedCall {
  method: string;
  path: string;
  status: number;
  authKind: string;
}

describe('calls signed as the app', function () {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => stack?.close());

  const asApp = (method: TransportRequest['method'], path: string, body?: unknown): TransportRequest => ({
    method,
    path,
    headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    acting: { as: 'app' },
    timeoutMs: 5000,
  });
  const calls = async () => (await stack.control<LoggedCall[]>('GET', '/requests?appKey=keepsake&pathPrefix=/wiki/rest')).body;

  it('are accepted by Confluence: a GET with a query string, a POST and a PUT with bodies', async () => {
    const addon = stack.keepsake.keepsake.addon;
    const transport = new AceTransport(addon, stack.clientKey, new AceInstallRecords(addon));
    const property = `/rest/api/user/${encodeURIComponent(alice)}/property/signing-check`;
    const created = await transport.send(asApp('POST', property, { value: { n: 1 } }));
    assert.equal(created.status, 201, created.text);
    const replaced = await transport.send(asApp('PUT', property, { value: { n: 2 } }));
    assert.equal(replaced.status, 204, replaced.text);
    const read = await transport.send(asApp('GET', `/rest/api/user/${encodeURIComponent(alice)}/property?start=0&limit=5`));
    assert.equal(read.status, 200, read.text);
    assert.ok((JSON.parse(read.text) as { results: { key: string }[] }).results.some((r) => r.key === 'signing-check'));
  });

  it('sign again once with a fresh install record when a reinstall elsewhere changed the secret', async () => {
    const addon = stack.keepsake.keepsake.addon;
    // Records kept the way another instance keeps them: read before the reinstall, kept after it.
    const elsewhere = new AceInstallRecords(addon, 60_000);
    const transport = new AceTransport(addon, stack.clientKey, elsewhere);
    const before = (await elsewhere.get(stack.clientKey))!;
    const reinstalled = await stack.control('POST', '/apps', { descriptorUrl: `${stack.keepsake.url}/atlassian-connect.json` });
    assert.equal(reinstalled.status, 201);
    const after = await new AceInstallRecords(addon).get(stack.clientKey);
    assert.notEqual(after?.sharedSecret, before.sharedSecret, 'the reinstall gave a new secret');

    await stack.control('DELETE', '/requests');
    const answer = await transport.send(asApp('GET', '/rest/api/user/current'));
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(
      (await calls()).map((c) => c.status),
      [401, 200],
      'the old secret was refused once, then the fresh one accepted',
    );

    // A secret that is wrong however fresh: Confluence's 401 comes back, after one try only.
    await stack.control('DELETE', '/requests');
    const wrong = { ...before, sharedSecret: 'not-the-secret' };
    const refused = await new AceTransport(addon, stack.clientKey, {
      get: async () => wrong,
      clientKeyOf: async () => undefined,
    }).send(asApp('GET', '/rest/api/user/current'));
    assert.equal(refused.status, 401);
    assert.equal((await calls()).length, 1, 'the same secret is not tried twice');
  });

  it('a site without an install record: a signing failure, and nothing is sent', async () => {
    const addon = stack.keepsake.keepsake.addon;
    await stack.control('DELETE', '/requests');
    const transport = new AceTransport(addon, 'no-such-site', new AceInstallRecords(addon));
    await assert.rejects(transport.send(asApp('GET', '/rest/api/user/current')), SigningFailure);
    assert.deepEqual(await calls(), []);
  });
});
