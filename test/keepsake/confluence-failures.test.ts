import assert from 'node:assert/strict';
import { SEEDED_USERS } from '../../emulator';
import { startStack, type Stack } from '../support/keepsake-stack';
import type { PreferencesSummary } from '../../lib/preferences/preferences-summary';

const alice = SEEDED_USERS.alice.accountId;

interface ErrorBody {
  code: string;
  message: string;
}
interface LogEntry {
  path: string;
  status: number;
}

describe('when Confluence fails', () => {
  let stack: Stack;
  beforeEach(async () => {
    // A cache that is always stale, so that every read goes to Confluence.
    stack = await startStack({ settings: { KEEPSAKE_CACHE_TTL_SECONDS: 0, KEEPSAKE_CONFLUENCE_TIMEOUT_MS: 500 } });
    const saved = await stack.api<PreferencesSummary>(alice, 'PATCH', '/api/preferences', { viewMode: 'compact' });
    assert.equal(saved.status, 200);
  });
  afterEach(async () => stack?.close());

  it('waits out a short Retry-After and succeeds', async () => {
    await stack.control('POST', '/faults', { status: 429, retryAfter: 1, count: 2 });
    const reply = await stack.api<PreferencesSummary>(alice, 'PATCH', '/api/preferences', { viewMode: 'focus' });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal(reply.body.viewMode, 'focus');
    const log = await stack.control<LogEntry[]>('GET', '/requests');
    assert.equal(log.body.filter((e) => e.status === 429).length, 2);
  });

  it('passes a long throttle on as 429 with Retry-After, and reports nothing as saved', async () => {
    await stack.control('POST', '/faults', { status: 429, retryAfter: 30, count: 1000 });
    const reply = await stack.api<ErrorBody>(alice, 'PATCH', '/api/preferences', { viewMode: 'focus' });
    assert.equal(reply.status, 429);
    assert.equal(reply.body.code, 'CONFLUENCE_RATE_LIMITED');
    assert.equal(reply.headers.get('retry-after'), '30');
    await stack.control('DELETE', '/faults');
    const after = await stack.api<PreferencesSummary>(alice, 'GET', '/api/preferences');
    assert.equal(after.body.viewMode, 'compact');
  });

  it('answers 503 when Confluence keeps failing, retrying reads a bounded number of times', async () => {
    await stack.control('DELETE', '/requests');
    await stack.control('POST', '/faults', { errorRate: 1, errorStatus: 502 });
    const reply = await stack.api<ErrorBody>(alice, 'GET', '/api/preferences');
    assert.equal(reply.status, 503);
    assert.equal(reply.body.code, 'CONFLUENCE_UNAVAILABLE');
    assert.ok(reply.headers.get('retry-after'));
    const log = await stack.control<LogEntry[]>('GET', '/requests');
    assert.equal(log.body.length, 3, 'three attempts, then a clear error');
  });

  it('never reports a failed write as saved, and loses nothing', async () => {
    await stack.control('POST', '/faults', { errorRate: 1 });
    const reply = await stack.api<ErrorBody>(alice, 'PATCH', '/api/preferences', { viewMode: 'focus' });
    assert.equal(reply.status, 503);
    await stack.control('DELETE', '/faults');
    const after = await stack.api<PreferencesSummary>(alice, 'GET', '/api/preferences');
    assert.equal(after.body.viewMode, 'compact');
  });

  it('gives up on a Confluence that does not answer in time, with a clear error', async () => {
    await stack.control('POST', '/faults', { latencyMs: 2000 });
    const reply = await stack.api<ErrorBody>(alice, 'GET', '/api/preferences');
    assert.equal(reply.status, 503);
    assert.equal(reply.body.code, 'CONFLUENCE_UNAVAILABLE');
    assert.match(reply.body.message, /did not answer/);
  });

  it('still serves a page view from a fresh cache while Confluence is down', async () => {
    await stack.close();
    stack = await startStack({ settings: { KEEPSAKE_CACHE_TTL_SECONDS: 300 } });
    await stack.api(alice, 'PATCH', '/api/preferences', { viewMode: 'focus' });
    await stack.control('POST', '/faults', { errorRate: 1 });
    const reply = await stack.api<PreferencesSummary>(alice, 'GET', '/api/preferences');
    assert.equal(reply.status, 200);
    assert.equal(reply.body.viewMode, 'focus');
  });
});
