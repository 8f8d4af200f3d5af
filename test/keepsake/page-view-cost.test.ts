import assert from 'node:assert/strict';
import { SEEDED_USERS } from '../../emulator';
import { APP_KEY, request, startStack, type Stack } from '../support/keepsake-stack';

const alice = SEEDED_USERS.alice.accountId;

describe('what a page view costs', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => stack?.close());

  async function panelUrl(pageId: string): Promise<string> {
    const query = new URLSearchParams({ appKey: APP_KEY, moduleKey: 'keepsake-panel', accountId: alice, pageId });
    const reply = await stack.control<{ url: string }>('GET', `/iframe-url?${query}`);
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    return reply.body.url;
  }

  it('renders the panel with the page author’s card, then serves repeat views without calling Confluence', async () => {
    const first = await request<string>(await panelUrl('65602'), 'GET');
    assert.equal(first.status, 200);
    assert.match(first.body, /Alice Anders|Your public card/);
    await stack.control('DELETE', '/requests');
    for (const pageId of ['65602', '65602']) {
      const again = await request<string>(await panelUrl(pageId), 'GET');
      assert.equal(again.status, 200);
    }
    const calls = await stack.control<{ method: string; path: string }[]>('GET', '/requests');
    assert.deepEqual(
      calls.body.map((c) => `${c.method} ${c.path}`),
      [],
    );
  });

  it('shows a sentence, not JSON, in the iframe when Confluence fails', async () => {
    const other = await startStack({ settings: { KEEPSAKE_CACHE_TTL_SECONDS: 0, KEEPSAKE_CONFLUENCE_ATTEMPTS: 1 } });
    try {
      const query = new URLSearchParams({ appKey: APP_KEY, moduleKey: 'keepsake-panel', accountId: alice, pageId: '65602' });
      const { url } = (await other.control<{ url: string }>('GET', `/iframe-url?${query}`)).body;
      await other.control('POST', '/faults', { errorRate: 1 });
      const reply = await request<string>(url, 'GET');
      assert.equal(reply.status, 503);
      assert.match(reply.headers.get('content-type') ?? '', /text\/html/);
      assert.match(reply.body, /cannot reach Confluence just now/);
      assert.doesNotMatch(reply.body, /rest\/api|"code"/);
    } finally {
      await other.close();
    }
  });
});
