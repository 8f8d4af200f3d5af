// Legacy cookie parsing is linear and bounded (issue 8, item 6): the worst values one can build
// within the limits are answered, through the real API, with what they hold and a report of
// the rest; values past the limits are refused whole with a structured error, and the browser
// keeps them. These tests check the answers, never the time: `npm run bench` measures that.
import assert from 'node:assert/strict';
import { SEEDED_USERS } from '../../emulator';
import {
  MAX_COOKIE_LENGTH,
  MAX_COOKIES_TOTAL_LENGTH,
  parseLegacyCookies,
  salvageArray,
  type CookieResult,
} from '../../lib/legacy-cookies/legacy-cookies';
import { legacyPageArray } from '../support/legacy-pages';
import { startStack, type Stack } from '../support/keepsake-stack';
import type { SiteStats } from '../../lib/api/answers';
import type { PreferencesView } from '../../lib/preferences/preference-view';
import type { PreferencesSummary } from '../../lib/preferences/preferences-summary';

const alice = SEEDED_USERS.alice.accountId;
const admin = SEEDED_USERS.admin.accountId;

interface ErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}
/** `head`, then `unit` as often as fits, then `tail`: a value of (about) `length` characters. */
function fill(head: string, unit: string, tail = '', length = MAX_COOKIE_LENGTH): string {
  return head + unit.repeat(Math.floor((length - head.length - tail.length) / unit.length)) + tail;
}

/** The first version's salvage (quadratic): the longest prefix ending in `}` that parses as an array once `]` is added. */
function referenceSalvage(text: string): unknown[] {
  for (let end = text.lastIndexOf('}'); end > 0; end = text.lastIndexOf('}', end - 1)) {
    try {
      const parsed: unknown = JSON.parse(`${text.slice(0, end + 1)}]`);
      if (Array.isArray(parsed)) return parsed;
    } catch {
      // not a boundary between elements
    }
  }
  return [];
}

const V = '[{"id":"65601"},';
const CLOSED = '[{"id":"65601"}';

interface Case {
  name: string;
  cookie: string;
  value: string;
  outcome: string;
  code?: string;
  /** The pages stored from it (bookmarks or watches). */
  pages?: string[];
  /** Whether the browser may erase it: everything in it was stored, or only a cut-off end was left out. */
  erase: boolean;
}

/** Every value is MAX_COOKIE_LENGTH characters or just under: the most one cookie may bring. */
const WORST_CASES: Case[] = [
  {
    name: 'the issue’s payload: an unterminated string, then 16,377 }',
    cookie: 'keepsake_bookmarks',
    value: fill('[{"a":"', '}'),
    outcome: 'rejected',
    code: 'MALFORMED',
    pages: [],
    erase: false,
  },
  {
    name: 'a complete entry, then a run of }',
    cookie: 'keepsake_bookmarks',
    value: fill(CLOSED, '}'),
    outcome: 'partial',
    code: 'INVALID_ENTRY',
    pages: ['65601'],
    erase: false,
  },
  {
    name: 'a complete entry, then a run of ]',
    cookie: 'keepsake_bookmarks',
    value: fill(CLOSED, ']'),
    outcome: 'partial',
    code: 'INVALID_ENTRY',
    pages: ['65601'],
    erase: false,
  },
  {
    name: 'a complete entry, then a run of "',
    cookie: 'keepsake_bookmarks',
    value: fill(V, '"'),
    outcome: 'partial',
    code: 'INVALID_ENTRY',
    pages: ['65601'],
    erase: false,
  },
  {
    name: 'a complete entry, then a run of {',
    cookie: 'keepsake_bookmarks',
    value: fill(V, '{'),
    outcome: 'partial',
    code: 'INVALID_ENTRY',
    pages: ['65601'],
    erase: false,
  },
  {
    name: 'a complete entry, then a run of commas',
    cookie: 'keepsake_bookmarks',
    value: fill(CLOSED, ','),
    outcome: 'partial',
    code: 'INVALID_ENTRY',
    pages: ['65601'],
    erase: false,
  },
  {
    name: 'a run of [ (16,384 levels deep)',
    cookie: 'keepsake_bookmarks',
    value: fill('', '['),
    outcome: 'rejected',
    code: 'MALFORMED',
    pages: [],
    erase: false,
  },
  {
    name: 'a complete entry, then 16,000 levels of [',
    cookie: 'keepsake_watches',
    value: fill(V, '['),
    outcome: 'partial',
    code: 'TRUNCATED',
    pages: ['65601'],
    erase: true,
  },
  {
    name: 'an entry nested 2,700 objects deep, every inner object closed but not the entry',
    cookie: 'keepsake_bookmarks',
    value: `${V}{"id":"65602","x":${'{"a":'.repeat(2700)}1${'}'.repeat(2700)}`,
    outcome: 'partial',
    code: 'TRUNCATED',
    pages: ['65601'],
    erase: true,
  },
  {
    name: 'the same entry closed: both kept, the array still cut off',
    cookie: 'keepsake_bookmarks',
    value: `${V}{"id":"65602","x":${'{"a":'.repeat(2700)}1${'}'.repeat(2701)}`,
    outcome: 'partial',
    code: 'TRUNCATED',
    pages: ['65601', '65602'],
    erase: true,
  },
  {
    name: 'a complete array nested 8,000 levels deep inside its entry',
    cookie: 'keepsake_bookmarks',
    value: `[{"id":"65601","x":${'['.repeat(8000)}${']'.repeat(8000)}}]`,
    outcome: 'migrated',
    pages: ['65601'],
    erase: true,
  },
  {
    name: 'an unterminated string of backslashes (escaped backslashes)',
    cookie: 'keepsake_bookmarks',
    value: fill(`${V}{"id":"65602","title":"`, '\\\\'),
    outcome: 'partial',
    code: 'TRUNCATED',
    pages: ['65601'],
    erase: true,
  },
  {
    name: 'an unterminated string of escaped quotes',
    cookie: 'keepsake_bookmarks',
    value: fill(`${V}{"id":"65602","title":"`, '\\"'),
    outcome: 'partial',
    code: 'TRUNCATED',
    pages: ['65601'],
    erase: true,
  },
  {
    name: 'a run of backslashes, then "}: a complete entry without an id',
    cookie: 'keepsake_bookmarks',
    value: fill(`${V}{"title":"`, '\\', '"}'),
    outcome: 'partial',
    code: 'INVALID_ENTRY',
    pages: ['65601'],
    erase: false,
  },
  {
    name: 'an unterminated key',
    cookie: 'keepsake_bookmarks',
    value: fill(`${V}{"`, 'x'),
    outcome: 'partial',
    code: 'TRUNCATED',
    pages: ['65601'],
    erase: true,
  },
  {
    name: 'one entry repeated until cut off',
    cookie: 'keepsake_bookmarks',
    value: fill('[', '{"id":"65601"},', '{"id":"656'),
    outcome: 'partial',
    code: 'TRUNCATED',
    pages: ['65601'],
    erase: true,
  },
  {
    name: 'thousands of empty entries',
    cookie: 'keepsake_bookmarks',
    value: fill('[', '{},', '{"id":"65601"}]'),
    outcome: 'partial',
    code: 'INVALID_ENTRY',
    pages: ['65601'],
    erase: false,
  },
  {
    name: 'a 16,000-digit page id',
    cookie: 'keepsake_bookmarks',
    value: fill('[{"id":', '9', '}]'),
    outcome: 'rejected',
    code: 'MALFORMED',
    pages: [],
    erase: false,
  },
  {
    name: 'numeric ids past 2^53 (they would name another page) and a date of 1e999',
    cookie: 'keepsake_bookmarks',
    value: '[{"id":65601},{"id":12345678901234567890},{"id":1e400},{"id":"65602","at":1e999}]',
    outcome: 'partial',
    code: 'INVALID_ENTRY',
    pages: ['65601', '65602'],
    erase: false,
  },
  {
    name: 'a 16,000-digit date inside an entry',
    cookie: 'keepsake_watches',
    value: fill('[{"id":"65601","at":', '9', '}]'),
    outcome: 'migrated',
    pages: ['65601'],
    erase: true,
  },
  {
    name: 'a comma list of nothing but commas',
    cookie: 'keepsake_watches',
    value: fill('', ','),
    outcome: 'rejected',
    code: 'TRUNCATED',
    pages: [],
    erase: false,
  },
  {
    name: 'a comma list of one id repeated',
    cookie: 'keepsake_watches',
    value: fill('', '65601,'),
    outcome: 'partial',
    code: 'TRUNCATED',
    pages: ['65601'],
    erase: false,
  },
  {
    name: 'a 16,384-digit keepsake_saved_at',
    cookie: 'keepsake_saved_at',
    value: fill('', '9'),
    outcome: 'rejected',
    code: 'MALFORMED',
    erase: false,
  },
  {
    name: 'keepsake_tracking of nothing but separators',
    cookie: 'keepsake_tracking',
    value: fill('', ',;|'),
    outcome: 'rejected',
    code: 'MALFORMED',
    erase: false,
  },
  {
    name: 'one tracking setting among thousands of separators',
    cookie: 'keepsake_tracking',
    value: fill('analytics:1', '|'),
    outcome: 'migrated',
    erase: true,
  },
  {
    name: 'keepsake_view_mode padded with 16,000 spaces',
    cookie: 'keepsake_view_mode',
    value: fill('', ' ', 'focus'),
    outcome: 'migrated',
    erase: true,
  },
];

describe('legacy cookie parsing: the worst values within the limits, and the limits', () => {
  let stack: Stack;
  beforeEach(async () => {
    stack = await startStack({ settings: { KEEPSAKE_CACHE_TTL_SECONDS: 0 } });
  });
  afterEach(async () => stack?.close());

  const migrate = (cookies: Record<string, string>) =>
    stack.api<{ results: CookieResult[]; preferences: PreferencesView } & ErrorBody>(alice, 'POST', '/api/migrations/cookies', { cookies });

  it('answers every worst case with what it holds and a report of the rest', async () => {
    for (const c of WORST_CASES) {
      assert.ok(c.value.length <= MAX_COOKIE_LENGTH && c.value.length > 80, `${c.name}: ${c.value.length} characters`);
      const reply = await migrate({ [c.cookie]: c.value });
      assert.equal(reply.status, 200, `${c.name}: ${JSON.stringify(reply.body).slice(0, 300)}`);
      assert.equal(reply.body.results.length, 1, c.name);
      const [result] = reply.body.results;
      assert.deepEqual([result.cookie, result.outcome, result.code], [c.cookie, c.outcome, c.code], `${c.name}: ${JSON.stringify(result)}`);
      assert.equal(result.erase, c.erase, `${c.name}: erased only when nothing in it is left unstored`);
      if (c.outcome !== 'migrated') assert.ok(result.message, `${c.name}: says what was left`);
      if (c.pages) {
        const set = c.cookie === 'keepsake_watches' ? 'watches' : 'bookmarks';
        assert.deepEqual(
          reply.body.preferences[set].map((p) => p.contentId),
          c.pages,
          c.name,
        );
        // Cleared for the next case, so each case shows only what it stored.
        for (const id of c.pages) assert.equal((await stack.api(alice, 'DELETE', `/api/${set}/${id}`)).status, 200);
      }
    }
  });

  it('keeps exactly the complete entries of an ordinary value cut off at the per-value limit', async () => {
    const full = legacyPageArray(300, 70_000, 60);
    assert.ok(full.length > MAX_COOKIE_LENGTH);
    const cut = full.slice(0, MAX_COOKIE_LENGTH);
    const expected = (referenceSalvage(cut) as { id: string }[]).map((e) => e.id);
    assert.ok(expected.length > 100, `${expected.length} complete entries`);
    const reply = await migrate({ keepsake_bookmarks: cut });
    assert.equal(reply.status, 200, JSON.stringify(reply.body).slice(0, 300));
    assert.deepEqual(
      reply.body.results.map((r) => [r.outcome, r.code, r.erase]),
      [['partial', 'TRUNCATED', true]],
    );
    assert.match(reply.body.results[0].message ?? '', new RegExp(`after ${expected.length} complete entries`));
    assert.deepEqual(
      reply.body.preferences.bookmarks.map((b) => b.contentId),
      expected,
    );
  });

  it('takes all five cookies at their largest in one request (the total limit), each a worst case', async () => {
    const cookies = {
      keepsake_bookmarks: fill('[{"a":"', '}'),
      keepsake_watches: fill(V, '['),
      keepsake_tracking: fill('', ','),
      keepsake_view_mode: fill('', '}'),
      keepsake_saved_at: fill('', '9'),
    };
    const total = Object.values(cookies).reduce((n, v) => n + v.length, 0);
    assert.equal(total, MAX_COOKIES_TOTAL_LENGTH);
    const reply = await migrate(cookies);
    assert.equal(reply.status, 200, JSON.stringify(reply.body).slice(0, 300));
    const outcomes = Object.fromEntries(reply.body.results.map((r) => [r.cookie, [r.outcome, r.code, r.erase]]));
    assert.deepEqual(outcomes, {
      keepsake_bookmarks: ['rejected', 'MALFORMED', false],
      keepsake_watches: ['partial', 'TRUNCATED', true],
      keepsake_tracking: ['rejected', 'MALFORMED', false],
      keepsake_view_mode: ['rejected', 'MALFORMED', false],
      keepsake_saved_at: ['rejected', 'MALFORMED', false],
    });
    assert.deepEqual(
      reply.body.preferences.watches.map((w) => w.contentId),
      ['65601'],
    );
  });

  it('refuses values past the limits whole, with a structured error, storing and counting nothing', async () => {
    const before = await stack.api<PreferencesSummary>(alice, 'GET', '/api/preferences');
    const atLimit = {
      keepsake_bookmarks: fill('', '65601,'),
      keepsake_watches: fill('', '65602,'),
      keepsake_tracking: fill('analytics:1', ','),
      keepsake_view_mode: fill('', ' ', 'focus'),
      keepsake_saved_at: fill('', ' ', '1700000000000'),
    };
    const filled = MAX_COOKIES_TOTAL_LENGTH - Object.values(atLimit).reduce((n, v) => n + v.length, 0);
    // One character more than the total limit, through another app's cookie (never parsed).
    const overTotal = await migrate({ ...atLimit, other_app_cookie: 'x'.repeat(filled + 1) });
    assert.equal(overTotal.status, 413, JSON.stringify(overTotal.body).slice(0, 300));
    assert.equal(overTotal.body.code, 'PAYLOAD_TOO_LARGE');
    assert.deepEqual(overTotal.body.details, { totalLength: MAX_COOKIES_TOTAL_LENGTH + 1, limit: MAX_COOKIES_TOTAL_LENGTH });
    assert.match(overTotal.body.message, /81920 characters together/);

    const overOne = await migrate({ keepsake_view_mode: 'compact', keepsake_bookmarks: `${fill('', '65601,')}65603,65604` });
    assert.equal(overOne.status, 413);
    assert.equal(overOne.body.code, 'PAYLOAD_TOO_LARGE');
    assert.deepEqual(overOne.body.details, { cookies: ['keepsake_bookmarks'], limit: MAX_COOKIE_LENGTH });

    // A body past KEEPSAKE_BODY_LIMIT (100 KB) never reaches the parsers.
    const overBody = await migrate({
      keepsake_bookmarks: '"'.repeat(MAX_COOKIE_LENGTH),
      keepsake_watches: '\\'.repeat(MAX_COOKIE_LENGTH),
      keepsake_tracking: '"'.repeat(MAX_COOKIE_LENGTH),
      keepsake_view_mode: '\\'.repeat(MAX_COOKIE_LENGTH),
    });
    assert.equal(overBody.status, 413);
    assert.equal(overBody.body.code, 'PAYLOAD_TOO_LARGE');

    const after = await stack.api<PreferencesSummary>(alice, 'GET', '/api/preferences');
    assert.deepEqual(after.body, before.body, 'nothing was stored');
    const stats = await stack.api<SiteStats>(admin, 'GET', '/api/admin/stats');
    const { users, cookiesMigrated, cookiesRejected } = stats.body.migrations;
    assert.deepEqual(
      { users, cookiesMigrated, cookiesRejected },
      { users: 0, cookiesMigrated: 0, cookiesRejected: 0 },
      'nothing was counted',
    );

    // The same values within the limits are taken: the browser, which kept them, succeeds next time.
    const within = await migrate(atLimit);
    assert.equal(within.status, 200, JSON.stringify(within.body).slice(0, 300));
    assert.deepEqual(
      within.body.preferences.bookmarks.map((b) => b.contentId),
      ['65601'],
    );
    assert.equal(within.body.preferences.viewMode, 'focus');
  });

  it('hands JSON.parse each value at most twice, whatever its shape (the work, counted, not timed)', () => {
    const parse = JSON.parse;
    let characters = 0;
    JSON.parse = ((text: string, reviver?: Parameters<typeof parse>[1]) => {
      characters += text.length;
      return parse(text, reviver);
    }) as typeof JSON.parse;
    try {
      for (const c of WORST_CASES) {
        characters = 0;
        parseLegacyCookies({ [c.cookie]: c.value });
        assert.ok(characters <= 2 * c.value.length + 1, `${c.name}: ${characters} characters parsed for ${c.value.length}`);
      }
    } finally {
      JSON.parse = parse;
    }
  });

  it('salvages exactly what the first (quadratic) salvage kept, on thousands of generated values', () => {
    const pieces = [
      '[',
      ']',
      '{',
      '}',
      '"',
      '\\',
      ':',
      ',',
      ' ',
      '\n',
      '0',
      '1',
      '-',
      '.',
      'e',
      '+',
      'x',
      'true',
      'nul',
      'null',
      '\u0001',
      '\u00a0',
      '\\u00e9',
      '\\u12',
      '\\"',
      '"id"',
      '"65601"',
      '{"id":"1"}',
      '{"id":2}',
      '[]',
      '{}',
      '1e5',
      '"}"',
      '"]"',
    ];
    let seed = 8;
    const next = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const valid = JSON.stringify([
      { id: '1', title: 'a "q" \\ }] é', at: 1.5e3 },
      { id: 2, x: [1, { y: null }], t: true },
      [{}],
      -0.5,
      { id: '3' },
    ]);
    const values: string[] = [];
    for (let i = 0; i < 20_000; i++) values.push(`[${Array.from({ length: 1 + next(30) }, () => pieces[next(pieces.length)]).join('')}`);
    for (let cut = 1; cut <= valid.length; cut++) {
      values.push(valid.slice(0, cut));
      for (let i = 0; i < 10; i++) {
        const at = 1 + next(cut);
        values.push(valid.slice(0, at) + pieces[next(pieces.length)] + valid.slice(at + (i % 2), cut));
      }
    }
    let salvaged = 0;
    for (const value of values) {
      const expected = referenceSalvage(value);
      assert.deepEqual(salvageArray(value), expected, JSON.stringify(value));
      if (expected.length > 0) salvaged++;
    }
    assert.ok(salvaged > 1000, `${salvaged} of ${values.length} values had something to salvage`);
  });
});
