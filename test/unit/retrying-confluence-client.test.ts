// The one client of Confluence (issue 13): its waits and deadlines come from the injected
// clock, so what it retries, how long it waits and when it gives up are tested in no time.
import assert from 'node:assert/strict';
import { RetryingConfluenceClient, type CallPolicy } from '../../lib/confluence/client';
import { SigningFailure, type ConfluenceTransport, type TransportRequest, type TransportResponse } from '../../lib/confluence/transport';
import { KeepsakeError } from '../../lib/errors';
import { ManualClock } from './support/manual-clock';

const POLICY: CallPolicy = { timeoutMs: 10_000, attempts: 3, maxRetryWaitSeconds: 5, backoffMs: 200 };

/** A transport that answers from a script, one answer per attempt, and keeps what was sent. */
function scripted(...answers: (TransportResponse | 'network-error' | 'never' | 'unsigned')[]) {
  const sent: TransportRequest[] = [];
  const transport: ConfluenceTransport = {
    send(request) {
      sent.push(request);
      const answer = answers.shift() ?? 'network-error';
      if (answer === 'never') return new Promise(() => undefined);
      if (answer === 'network-error') return Promise.reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
      if (answer === 'unsigned') return Promise.reject(new SigningFailure(new Error('no token for the user')));
      return Promise.resolve(answer);
    },
  };
  return { transport, sent };
}

function status(code: number, headers: Record<string, string> = {}, text = ''): TransportResponse {
  return { status: code, headers, text };
}

async function failure(work: Promise<unknown>): Promise<KeepsakeError> {
  const error = await work.then(
    () => assert.fail('expected a failure'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof KeepsakeError, String(error));
  return error;
}

describe('RetryingConfluenceClient', () => {
  it('waits out a Retry-After within the limit, then answers, for any method', async () => {
    const clock = new ManualClock();
    const { transport, sent } = scripted(status(429, { 'retry-after': '3' }), status(201, {}, '{"ok":true}'));
    const client = new RetryingConfluenceClient(transport, 'site', POLICY, undefined, clock);
    const reply = await clock.settle(client.send({ method: 'POST', path: '/rest/api/x', body: { a: 1 } }));
    assert.deepEqual([reply.status, reply.body], [201, { ok: true }]);
    assert.equal(sent.length, 2);
    assert.ok(clock.waits.includes(3000), `waits: ${clock.waits}`);
    assert.equal(sent[0].body, '{"a":1}');
  });

  it('hands a Retry-After longer than the limit back as CONFLUENCE_RATE_LIMITED, without waiting', async () => {
    const clock = new ManualClock();
    const { transport, sent } = scripted(status(429, { 'retry-after': '60' }));
    const client = new RetryingConfluenceClient(transport, 'site', POLICY, undefined, clock);
    const error = await failure(clock.settle(client.send({ method: 'GET', path: '/x' })));
    assert.deepEqual([error.code, error.retryAfter, sent.length], ['CONFLUENCE_RATE_LIMITED', 60, 1]);
  });

  it('retries a 5xx or a network failure of GET, PUT and DELETE with growing waits, up to the attempts', async () => {
    const clock = new ManualClock();
    const { transport, sent } = scripted(status(503), 'network-error', status(502));
    const client = new RetryingConfluenceClient(transport, 'site', POLICY, undefined, clock);
    const error = await failure(clock.settle(client.send({ method: 'PUT', path: '/x', body: {} })));
    assert.equal(error.code, 'CONFLUENCE_UNAVAILABLE');
    assert.equal(sent.length, 3);
    const backoffs = clock.waits.filter((ms) => ms < POLICY.timeoutMs);
    assert.equal(backoffs.length, 2);
    assert.ok(backoffs[0] >= 100 && backoffs[0] <= 200 && backoffs[1] >= 200 && backoffs[1] <= 400, `back-off: ${backoffs}`);
  });

  it('never repeats a POST that failed with a 5xx or on the network (it may have been carried out)', async () => {
    for (const answer of [status(500), 'network-error'] as const) {
      const clock = new ManualClock();
      const { transport, sent } = scripted(answer, status(201));
      const client = new RetryingConfluenceClient(transport, 'site', POLICY, undefined, clock);
      const error = await failure(clock.settle(client.send({ method: 'POST', path: '/x', body: {} })));
      assert.deepEqual([error.code, sent.length], ['CONFLUENCE_UNAVAILABLE', 1]);
    }
  });

  it('gives up an attempt that gets no answer by its deadline, by the clock, and retries a GET', async () => {
    const clock = new ManualClock();
    const { transport, sent } = scripted('never', status(200, {}, '{"value":1}'));
    const client = new RetryingConfluenceClient(transport, 'site', POLICY, undefined, clock);
    const started = clock.now().getTime();
    const reply = await clock.settle(client.send({ method: 'GET', path: '/x' }));
    assert.deepEqual([reply.status, reply.body, sent.length], [200, { value: 1 }, 2]);
    assert.ok(clock.now().getTime() - started >= POLICY.timeoutMs, 'the first attempt ran to its deadline');
    assert.equal(sent[0].timeoutMs, POLICY.timeoutMs, 'the transport is told the time allowed');
  });

  it('maps a refused signature and a 401 to CONFLUENCE_REJECTED, and counts each attempt', async () => {
    const clock = new ManualClock();
    const seen: (number | string)[] = [];
    const { transport } = scripted('unsigned', status(401));
    const client = new RetryingConfluenceClient(transport, 'site', POLICY, ({ status: s }) => seen.push(s), clock);
    assert.equal((await failure(client.send({ method: 'GET', path: '/x' }))).code, 'CONFLUENCE_REJECTED');
    assert.equal((await failure(client.send({ method: 'GET', path: '/x' }))).code, 'CONFLUENCE_REJECTED');
    assert.deepEqual(seen, [401], 'an unsigned call never reached Confluence');
  });

  it('leaves a non-JSON body as text and an empty one undefined', async () => {
    const { transport } = scripted(status(200, {}, 'plain'), status(204));
    const client = new RetryingConfluenceClient(transport, 'site', POLICY, undefined, new ManualClock());
    assert.equal((await client.send({ method: 'GET', path: '/x' })).body, 'plain');
    assert.equal((await client.send({ method: 'DELETE', path: '/x' })).body, undefined);
  });
});
