// A set read a page at a time, newest first (docs/api.md): the cursor names the last entry
// given, so entries added or removed during a walk never make it repeat or miss one.
import assert from 'node:assert/strict';
import { setPage, setPageQuery, type SetPage } from '../../lib/preferences/set-page';
import type { PageRef } from '../../lib/preferences/schema';

function entry(contentId: string, minute: number): PageRef {
  return { contentId, title: `Page ${contentId}`, addedAt: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString() };
}

/** Walks the set page by page, applying `between` after each page; answers the ids seen. */
function walk(entries: () => PageRef[], limit: number, between: (page: SetPage) => void = () => undefined): string[] {
  const seen: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = setPage(entries(), setPageQuery.parse({ limit: String(limit), ...(cursor ? { cursor } : {}) }));
    seen.push(...page.items.map((p) => p.contentId));
    between(page);
    if (!page.nextCursor) return seen;
    cursor = page.nextCursor;
  }
}

describe('setPage', () => {
  it('gives the newest first, ties by page id as a number, with the total', () => {
    const entries = [entry('9', 1), entry('10', 1), entry('5', 3), entry('1', 2)];
    const page = setPage(entries, { limit: 3 });
    assert.deepEqual(
      page.items.map((p) => p.contentId),
      ['5', '1', '10'],
    );
    assert.equal(page.total, 4);
    assert.ok(page.nextCursor);
    assert.deepEqual(
      setPage(entries, setPageQuery.parse({ cursor: page.nextCursor })).items.map((p) => p.contentId),
      ['9'],
    );
  });

  it('neither repeats nor misses an entry that stays while entries are removed and added mid-walk', () => {
    let entries = Array.from({ length: 25 }, (_, i) => entry(String(100 + i), i));
    const leaving = entries.filter((_, i) => i % 3 === 0).map((p) => p.contentId);
    const staying = entries.map((p) => p.contentId).filter((id) => !leaving.includes(id));
    let minute = 1000;
    const seen = walk(
      () => entries,
      4,
      () => {
        // Between pages one entry is removed (seen or not yet) and a newer one is added.
        const gone = leaving.shift();
        entries = [...entries.filter((p) => p.contentId !== gone), entry(String(minute), minute++)];
      },
    );
    assert.equal(new Set(seen).size, seen.length, 'no entry twice');
    assert.deepEqual(
      staying.filter((id) => !seen.includes(id)),
      [],
      'none that stayed missed',
    );
    assert.ok(!seen.some((id) => Number(id) >= 1000), 'entries added meanwhile come before the cursor');
  });

  it('refuses a cursor it did not make and a limit out of range, with what to do', () => {
    for (const query of [
      { cursor: 'nonsense!' },
      { cursor: Buffer.from('x:1').toString('base64url') },
      { limit: '0' },
      { limit: '201' },
      { limit: '1.5' },
    ]) {
      const parsed = setPageQuery.safeParse(query);
      assert.equal(parsed.success, false, JSON.stringify(query));
    }
    assert.deepEqual(setPageQuery.parse({ limit: '200' }), { limit: 200 });
  });
});
