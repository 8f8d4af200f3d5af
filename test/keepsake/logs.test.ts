import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { SEEDED_USERS } from '../../emulator';
import { createLogger } from '../../lib/logger';
import { APP_KEY, startStack, type Stack } from '../support/keepsake-stack';

const { alice, admin } = SEEDED_USERS;

describe('logs', () => {
  let stack: Stack;
  const lines: string[] = [];
  before(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    stack = await startStack({ logger: createLogger('trace', sink) });
  });
  after(async () => stack?.close());

  it('are JSON lines without the shared secret, tokens or access tokens, through install, use and uninstall', async () => {
    const app = await stack.control<{ sharedSecret: string }>('GET', `/apps/${APP_KEY}`);
    const secrets = [app.body.sharedSecret];
    const settings = await stack.api<{ settings: Record<string, unknown> }>(admin.accountId, 'GET', '/api/admin/settings');
    await stack.api(admin.accountId, 'PUT', '/api/admin/settings', { ...settings.body.settings, actAsUser: true });
    secrets.push(await stack.contextToken(alice.accountId));
    assert.equal((await stack.api(alice.accountId, 'PATCH', '/api/preferences', { viewMode: 'focus' })).status, 200);
    await stack.api(alice.accountId, 'GET', '/api/preferences', undefined);
    await stack.control('DELETE', `/apps/${APP_KEY}`);

    assert.ok(
      lines.some((l) => /"msg":"installed"/.test(l)),
      'the install was logged',
    );
    assert.ok(
      lines.some((l) => /Saved tenant details/.test(l)),
      'ACE logged the install payload (scrubbed)',
    );
    for (const line of lines) {
      assert.doesNotThrow(() => JSON.parse(line), line);
      for (const secret of secrets) assert.ok(!line.includes(secret), `a secret leaked into: ${line.slice(0, 200)}`);
      assert.doesNotMatch(line, /"access_token"\s*:\s*"[^[]/);
    }
  });
});
