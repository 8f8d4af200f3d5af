// Every format older versions kept in AP.cookie, and the erase rules (docs/legacy-cookies.md):
// a value is erased only when everything in it is stored, or all that is left out is the
// unfinished end of a JSON list the old cookie cut off.
import assert from 'node:assert/strict';
import {
  TRUNCATION_LENGTH,
  parseLegacyCookies,
  salvageArray,
  unwrapStoredForm,
  type CookieResult,
} from '../../lib/legacy-cookies/legacy-cookies';
import { LEGACY_COOKIES } from '../../lib/legacy-cookies/legacy-cookie-names';

const NOW = new Date('2026-03-01T09:00:00.000Z');

function parse(cookies: Record<string, string>) {
  return parseLegacyCookies(cookies, NOW);
}

/** The one result of a single cookie, without its message. */
function result(cookie: string, value: string): Omit<CookieResult, 'message'> {
  const { outcome, erase, code } = parse({ [cookie]: value }).results[0];
  return { cookie, outcome, erase, ...(code ? { code } : {}) };
}

describe('legacy cookie parsing', () => {
  describe('keepsake_view_mode', () => {
    it('takes a known mode, spaces trimmed, and leaves anything else in the browser', () => {
      assert.deepEqual(parse({ [LEGACY_COOKIES.viewMode]: ' compact ' }).values, { viewMode: 'compact' });
      assert.deepEqual(result(LEGACY_COOKIES.viewMode, 'compact'), { cookie: LEGACY_COOKIES.viewMode, outcome: 'migrated', erase: true });
      assert.deepEqual(result(LEGACY_COOKIES.viewMode, 'dense'), {
        cookie: LEGACY_COOKIES.viewMode,
        outcome: 'rejected',
        erase: false,
        code: 'MALFORMED',
      });
    });
  });

  describe('keepsake_tracking', () => {
    it('reads : and =, 1/0 and true/false, and , ; | as separators', () => {
      for (const value of ['analytics:1,productEmails:0', 'analytics=true;productEmails=false', 'analytics:1|productEmails:false']) {
        assert.deepEqual(parse({ [LEGACY_COOKIES.tracking]: value }).values.tracking, { analytics: true, productEmails: false }, value);
        assert.equal(result(LEGACY_COOKIES.tracking, value).erase, true);
      }
    });

    it('keeps the readable parts of a partly readable value, which stays; none readable is rejected', () => {
      const { values, results } = parse({ [LEGACY_COOKIES.tracking]: 'analytics:1,marketing:yes' });
      assert.deepEqual(values.tracking, { analytics: true });
      assert.deepEqual([results[0].outcome, results[0].code, results[0].erase], ['partial', 'INVALID_ENTRY', false]);
      assert.match(results[0].message ?? '', /marketing:yes/);
      assert.deepEqual(result(LEGACY_COOKIES.tracking, 'nothing'), {
        cookie: LEGACY_COOKIES.tracking,
        outcome: 'rejected',
        erase: false,
        code: 'MALFORMED',
      });
    });
  });

  describe('keepsake_saved_at', () => {
    it('reads milliseconds or ISO-8601, dates pages without their own date by it, and rejects anything else', () => {
      const ms = String(Date.parse('2025-12-24T18:00:00.000Z'));
      const { values } = parse({ [LEGACY_COOKIES.savedAt]: ms, [LEGACY_COOKIES.bookmarks]: '65602' });
      assert.equal(values.savedAt, '2025-12-24T18:00:00.000Z');
      assert.deepEqual(values.bookmarks, [{ contentId: '65602', title: '', addedAt: '2025-12-24T18:00:00.000Z' }]);
      assert.equal(parse({ [LEGACY_COOKIES.savedAt]: '2025-12-24T18:00:00Z' }).values.savedAt, '2025-12-24T18:00:00.000Z');
      assert.deepEqual(result(LEGACY_COOKIES.savedAt, 'last Tuesday'), {
        cookie: LEGACY_COOKIES.savedAt,
        outcome: 'rejected',
        erase: false,
        code: 'MALFORMED',
      });
    });
  });

  describe('page sets', () => {
    const bookmarks = LEGACY_COOKIES.bookmarks;

    it('reads a complete JSON array of {id, title?, at?} or of bare ids, titles cut to 255, duplicates dropped', () => {
      const value = JSON.stringify([{ id: '65602', title: 'x'.repeat(300), at: 1767225600000 }, { id: 65603 }, '65604', { id: '65602' }]);
      const { values, results } = parse({ [bookmarks]: value });
      assert.deepEqual(values.bookmarks, [
        { contentId: '65602', title: 'x'.repeat(255), addedAt: '2026-01-01T00:00:00.000Z' },
        { contentId: '65603', title: '', addedAt: NOW.toISOString() },
        { contentId: '65604', title: '', addedAt: NOW.toISOString() },
      ]);
      assert.deepEqual([results[0].outcome, results[0].erase], ['migrated', true]);
    });

    it('counts an id past 2^53, a fraction or a non-id as invalid: the rest kept, the value left in the browser', () => {
      const { values, results } = parse({ [bookmarks]: '[{"id":9007199254740993},{"id":1.5},{"id":"abc"},{"id":"65602"}]' });
      assert.deepEqual(
        values.bookmarks?.map((p) => p.contentId),
        ['65602'],
      );
      assert.deepEqual([results[0].outcome, results[0].code, results[0].erase], ['partial', 'INVALID_ENTRY', false]);
      assert.deepEqual(result(bookmarks, '[{"id":"abc"}]'), { cookie: bookmarks, outcome: 'rejected', erase: false, code: 'MALFORMED' });
      assert.deepEqual(result(bookmarks, '{"id":"65602"}'), { cookie: bookmarks, outcome: 'rejected', erase: false, code: 'MALFORMED' });
    });

    it('erases a JSON array cut off mid-entry after keeping its complete entries', () => {
      const { values, results } = parse({ [bookmarks]: '[{"id":"1","title":"One"},{"id":"2","title":"Tw' });
      assert.deepEqual(
        values.bookmarks?.map((p) => p.contentId),
        ['1'],
      );
      assert.deepEqual([results[0].outcome, results[0].code, results[0].erase], ['partial', 'TRUNCATED', true]);
      assert.deepEqual(result(bookmarks, '[{"id":"1","ti'), { cookie: bookmarks, outcome: 'rejected', erase: false, code: 'MALFORMED' });
    });

    it('keeps the entries before a fault in a spoilt JSON array, and leaves the value in the browser', () => {
      // AUI's read drops backslashes: an escaped quote in a title ends the string early.
      const { values, results } = parse({ [bookmarks]: '[{"id":"1","title":"One"},{"id":"2","title":"a "quoted" b"},{"id":"3"}]' });
      assert.deepEqual(
        values.bookmarks?.map((p) => p.contentId),
        ['1'],
      );
      assert.deepEqual([results[0].outcome, results[0].code, results[0].erase], ['partial', 'INVALID_ENTRY', false]);
    });

    it('reads a comma list; non-ids leave it in the browser; one of 4,000 characters or more may be cut off, so its last id is not stored', () => {
      assert.deepEqual(
        parse({ [bookmarks]: '65602, 65603' }).values.bookmarks?.map((p) => p.contentId),
        ['65602', '65603'],
      );
      assert.deepEqual(result(bookmarks, '65602,abc'), { cookie: bookmarks, outcome: 'partial', erase: false, code: 'INVALID_ENTRY' });
      assert.deepEqual(result(bookmarks, 'abc,def'), { cookie: bookmarks, outcome: 'rejected', erase: false, code: 'MALFORMED' });

      const ids = Array.from({ length: Math.ceil(TRUNCATION_LENGTH / 6) + 1 }, (_, i) => String(10_000 + i));
      const long = ids.join(',');
      assert.ok(long.length >= TRUNCATION_LENGTH);
      const { values, results } = parse({ [LEGACY_COOKIES.watches]: long });
      assert.deepEqual(
        values.watches?.map((p) => p.contentId),
        ids.slice(0, -1),
      );
      assert.deepEqual([results[0].outcome, results[0].code, results[0].erase], ['partial', 'TRUNCATED', false]);
    });
  });

  it('unwraps the {"value", "expires"} form whatever expires says, and nothing else', () => {
    assert.equal(unwrapStoredForm('{"value":"compact","expires":1}'), 'compact');
    assert.equal(unwrapStoredForm('{"value":"compact"}'), 'compact');
    assert.equal(unwrapStoredForm('{"value":"compact","other":1}'), '{"value":"compact","other":1}');
    assert.equal(unwrapStoredForm('{"value":3}'), '{"value":3}');
    assert.equal(unwrapStoredForm('[1,2]'), '[1,2]');
    assert.deepEqual(parse({ [LEGACY_COOKIES.viewMode]: '{"value":"focus","expires":0}' }).values, { viewMode: 'focus' });
  });

  it('leaves any other cookie alone', () => {
    assert.deepEqual(result('jsessionid', 'x'), { cookie: 'jsessionid', outcome: 'ignored', erase: false, code: 'UNKNOWN_COOKIE' });
  });

  it('salvages the complete elements of an array however deeply it nests, in one pass', () => {
    assert.deepEqual(salvageArray('[{"a":[{"b":{}}]},{"c":"}"},{"d":'), [{ a: [{ b: {} }] }, { c: '}' }]);
    assert.deepEqual(salvageArray('[' + '{"x":['.repeat(5000)), []);
    assert.deepEqual(salvageArray('[1,2,{"id":"1"},3'), [1, 2, { id: '1' }]);
  });
});
