// The in-memory layer in front of the cache table is bounded in bytes, not entries (issue 11):
// a few users with 1,000 bookmarks must not push out the memory of thousands of small ones
// without bound, nor grow past the setting.
import assert from 'node:assert/strict';
import { LruMap } from '../../lib/memory/lru-map';

describe('LruMap bounded by a measure of its values', () => {
  const bytes = (value: string) => value.length;

  it('keeps the total within the capacity, forgetting the least recently used first', () => {
    const map = new LruMap<string, string>(10, bytes);
    map.set('a', 'xxxx');
    map.set('b', 'xxxx');
    assert.equal(map.get('a'), 'xxxx'); // a is now the most recently used
    map.set('c', 'xxxx');
    assert.equal(map.get('b'), undefined, 'b, the least recently used, made room');
    assert.deepEqual([map.get('a'), map.get('c')], ['xxxx', 'xxxx']);
    assert.equal(map.usage, 8);
  });

  it('drops several small entries for one large one, and never keeps one larger than the whole', () => {
    const map = new LruMap<string, string>(10, bytes);
    for (const key of ['a', 'b', 'c', 'd', 'e']) map.set(key, 'xx');
    map.set('big', 'x'.repeat(9));
    assert.equal(map.size, 1);
    assert.equal(map.usage, 9);
    map.set('huge', 'x'.repeat(11));
    assert.equal(map.get('huge'), undefined);
    assert.equal(map.get('big'), 'x'.repeat(9), 'a value too large to keep pushes nothing out');
  });

  it('accounts for replaced and deleted entries', () => {
    const map = new LruMap<string, string>(10, bytes);
    map.set('a', 'xxxxxx');
    map.set('a', 'xx');
    assert.equal(map.usage, 2);
    map.delete('a');
    assert.equal(map.usage, 0);
    map.set('b', 'xxxxxxxxxx');
    assert.equal(map.get('b'), 'xxxxxxxxxx');
  });

  it('counts entries when given no measure', () => {
    const map = new LruMap<number, object>(2);
    map.set(1, {});
    map.set(2, {});
    map.set(3, {});
    assert.deepEqual([map.get(1), map.size], [undefined, 2]);
  });
});
