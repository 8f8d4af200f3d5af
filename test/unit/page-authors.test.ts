// The author card's answers are kept in memory (issue 11) and their age comes from the
// injected clock (issue 13): a page's author is asked once, a display name again once it is
// older than its bound.
import assert from 'node:assert/strict';
import { PageAuthors } from '../../lib/confluence/page-authors';
import { InMemoryConfluence } from './support/in-memory-confluence';
import { ManualClock } from './support/manual-clock';

describe('PageAuthors', () => {
  const NAME_MAX_AGE_MS = 60_000;

  it('asks for a page’s author once, and for a display name again only once it is older than the bound', async () => {
    const clock = new ManualClock();
    const confluence = new InMemoryConfluence();
    confluence.pages.set('101', { title: 'Release checklist', author: 'alice' });
    confluence.displayNames.set('alice', 'Alice');
    const authors = new PageAuthors(NAME_MAX_AGE_MS, clock);

    assert.deepEqual(await authors.of(confluence, '101'), { accountId: 'alice', displayName: 'Alice' });
    confluence.displayNames.set('alice', 'Alice Liddell');
    const mark = confluence.calls.length;
    clock.advance(NAME_MAX_AGE_MS - 1);
    assert.deepEqual(await authors.of(confluence, '101'), { accountId: 'alice', displayName: 'Alice' });
    assert.deepEqual(confluence.callsSince(mark), []);

    clock.advance(1);
    assert.deepEqual(await authors.of(confluence, '101'), { accountId: 'alice', displayName: 'Alice Liddell' });
    assert.deepEqual(confluence.callsSince(mark), ['GET /rest/api/user?accountId=alice'], 'the author itself is not asked again');
  });

  it('shows no name, and keeps none, when Confluence gives none', async () => {
    const confluence = new InMemoryConfluence();
    confluence.pages.set('202', { title: 'Orphan', author: 'gone' });
    const authors = new PageAuthors(NAME_MAX_AGE_MS, new ManualClock());
    assert.deepEqual(await authors.of(confluence, '202'), { accountId: 'gone', displayName: '' });
    confluence.displayNames.set('gone', 'Back again');
    assert.deepEqual(await authors.of(confluence, '202'), { accountId: 'gone', displayName: 'Back again' });
  });

  it('forgets an account’s name and the pages it wrote, on this site only, and asks Confluence again', async () => {
    const confluence = new InMemoryConfluence();
    confluence.pages.set('101', { title: 'Release checklist', author: 'alice' });
    confluence.pages.set('102', { title: 'Roadmap', author: 'bob' });
    confluence.displayNames.set('alice', 'Alice');
    confluence.displayNames.set('bob', 'Bob');
    const authors = new PageAuthors(NAME_MAX_AGE_MS, new ManualClock());
    await authors.of(confluence, '101');
    await authors.of(confluence, '102');
    await authors.forget('another-site', 'alice');
    let mark = confluence.calls.length;
    await authors.of(confluence, '101');
    assert.deepEqual(confluence.callsSince(mark), [], 'another site’s forgetting leaves this one’s');

    await authors.forget(confluence.clientKey, 'alice');
    confluence.displayNames.set('alice', 'Former user');
    mark = confluence.calls.length;
    assert.deepEqual(await authors.of(confluence, '101'), { accountId: 'alice', displayName: 'Former user' });
    assert.equal(confluence.callsSince(mark).length, 2, 'the page and the name are both asked again');
    mark = confluence.calls.length;
    assert.deepEqual(await authors.of(confluence, '102'), { accountId: 'bob', displayName: 'Bob' });
    assert.deepEqual(confluence.callsSince(mark), [], 'bob’s page and name stay');
  });
});
