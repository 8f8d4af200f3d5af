// Confluence replies are parsed, not cast (issue 13): a reply in an unexpected shape is a clear
// CONFLUENCE_REJECTED, never a value half-used (a page id of "[object Object]").
import assert from 'node:assert/strict';
import type { ConfluenceReply } from '../../lib/confluence/client';
import { pageReply, parseReply, userPropertyKeysReply } from '../../lib/confluence/replies';
import { KeepsakeError } from '../../lib/errors';

const reply = (body: unknown): ConfluenceReply => ({ status: 200, headers: {}, body });

describe('Confluence replies', () => {
  it('reads a page as documented, ids given as numbers too', () => {
    assert.deepEqual(
      parseReply(
        pageReply,
        reply({ id: 65602, title: 'Release checklist', history: { createdBy: { accountId: 'a' } }, extra: 1 }),
        'read the page',
      ),
      {
        id: '65602',
        title: 'Release checklist',
        history: { createdBy: { accountId: 'a' } },
        extra: 1,
      },
    );
  });

  it('refuses a page whose id is not an id, saying what was wrong', () => {
    assert.throws(
      () => parseReply(pageReply, reply({ id: { nested: true }, title: 'x' }), 'read the page'),
      (error: unknown) =>
        error instanceof KeepsakeError && error.code === 'CONFLUENCE_REJECTED' && /read the page: id /.test(error.message),
    );
  });

  it('refuses a key list without results', () => {
    assert.throws(() => parseReply(userPropertyKeysReply, reply({ size: 0 }), 'list user properties'), /list user properties: results/);
  });
});
