import assert from 'node:assert/strict';
import { startStack, type Stack } from '../support/keepsake-stack';
import { freshPostgres } from '../support/postgres-database';

describe('many users writing at once on Postgres', function () {
  let stack: Stack;
  const users: string[] = [];
  before(async function () {
    const databaseUrl = await freshPostgres(this);
    stack = await startStack({ store: 'postgres', settings: { DATABASE_URL: databaseUrl } });
    for (let i = 0; i < 12; i++) {
      const created = await stack.control<{ accountId: string }>('POST', '/users', { displayName: `Writer ${i}` });
      users.push(created.body.accountId);
      await stack.api(created.body.accountId, 'PATCH', '/api/preferences', { viewMode: 'compact' });
    }
  });
  after(async () => stack?.close());

  it('never starves the connection pool: more writers than connections all finish', async () => {
    // Slow Confluence: every writer holds its lock (and a connection) for several calls.
    await stack.control('POST', '/faults', { latencyMs: 200 });
    const replies = await Promise.all(
      users.map((u) => stack.api<{ viewMode: string }>(u, 'PATCH', '/api/preferences', { viewMode: 'focus' })),
    );
    await stack.control('DELETE', '/faults');
    for (const reply of replies) {
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.equal(reply.body.viewMode, 'focus');
    }
  });
});
