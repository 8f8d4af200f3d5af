// A burst of one user's writes against a slow Confluence (issue 11): the queue is bounded (the
// rest are refused at once with 429 and Retry-After), a write whose request was answered before
// it began is dropped before it reaches Confluence, and a request answered with an error never
// changes stored data afterwards: the stored value is one a request was told was saved.
import assert from 'node:assert/strict';
import { SEEDED_USERS } from '../../emulator';
import { eventually } from '../support/eventually';
import { startStack, type Stack } from '../support/keepsake-stack';
import { openedRecord } from '../support/stored-records';

const { alice } = SEEDED_USERS;

describe('a burst of one user’s writes against a slow Confluence', function () {
  this.timeout(120_000);
  let stack: Stack;
  before(async () => {
    stack = await startStack({ settings: { KEEPSAKE_REQUEST_TIMEOUT_MS: 1500, KEEPSAKE_MAX_QUEUED_WRITES: 8 } });
    assert.equal((await stack.api(alice.accountId, 'PUT', '/api/profile', { note: 'before' })).status, 200);
  });
  after(async () => stack?.close());

  it('bounds the queue, drops what was answered first, and keeps only what was acknowledged', async () => {
    await stack.control('POST', '/faults', { latencyMs: 300 });
    await stack.control('DELETE', '/requests');
    const answers = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const reply = await stack.api<{ code?: string }>(alice.accountId, 'PUT', '/api/profile', { note: `write ${i}` });
        return { note: `write ${i}`, status: reply.status, code: reply.body.code, retryAfter: reply.headers.get('retry-after') };
      }),
    );
    const saved = answers.filter((a) => a.status === 200).map((a) => a.note);
    const refused = answers.filter((a) => a.status === 429);
    const timedOut = answers.filter((a) => a.status === 503);
    assert.deepEqual(
      answers.filter((a) => ![200, 429, 503].includes(a.status)),
      [],
      'every answer is a success, a refusal or a timeout',
    );
    assert.ok(
      refused.length > 0 && refused.every((a) => a.code === 'TOO_MANY_WRITES' && a.retryAfter !== null),
      'the queue is bounded, with Retry-After',
    );
    assert.ok(
      timedOut.every((a) => a.code === 'TIMEOUT'),
      JSON.stringify(timedOut),
    );
    assert.ok(saved.length > 0, 'some writes were saved');

    // Wait until Keepsake has stopped writing: the request log stops growing.
    let seen = -1;
    await eventually(
      'Keepsake stops calling Confluence',
      async () => {
        const now = (await stack.control<unknown[]>('GET', '/requests')).body.length;
        const quiet = now === seen;
        seen = now;
        return quiet;
      },
      { tries: 60, pauseMs: 1000 },
    );
    await stack.control('POST', '/faults', { latencyMs: 0 });

    const log = await stack.control<{ method: string; path: string; status: number }[]>('GET', '/requests');
    const mainWrites = log.body.filter((e) => e.method === 'PUT' && e.path.endsWith('/property/keepsake-main'));
    assert.equal(mainWrites.length, saved.length, 'one write to Confluence per acknowledged request, none for the others');
    const stored = (await openedRecord(stack, alice.accountId, 'main')).profile as { note: string };
    assert.ok(saved.includes(stored.note), `the stored note "${stored.note}" is one a request was told was saved`);
  });
});
