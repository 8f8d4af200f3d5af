// Legacy cookie parsing: `parseLegacyCookies` on an ordinary 16,384-character value against
// adversarial values of the same size (the issue's payload first), in the bench's own process
// before any load; then the issue's payload and the ordinary value through
// `POST /api/migrations/cookies`, one at a time, for an end-to-end figure.
import { MAX_COOKIE_LENGTH, parseLegacyCookies } from '../lib/legacy-cookies/legacy-cookies';
import { legacyPageArray } from '../test/support/legacy-pages';
import { json } from './http-json';
import { median } from './load';
import type { Report } from './report';

const COOKIE_ROUNDS = 5;
const COOKIE_RUN_MS = 200;
const MIGRATION_REQUESTS = 20;

/** `head`, then `unit` as often as fits in MAX_COOKIE_LENGTH with `tail`. */
function fill(head: string, unit: string, tail = ''): string {
  return head + unit.repeat(Math.floor((MAX_COOKIE_LENGTH - head.length - tail.length) / unit.length)) + tail;
}

/** A complete JSON array of pages (the newer legacy format), padded to exactly MAX_COOKIE_LENGTH. */
function ordinaryCookie(): { value: string; entries: number } {
  let entries = 1;
  while (legacyPageArray(entries + 1, 70_000, 60).length <= MAX_COOKIE_LENGTH) entries++;
  const value = legacyPageArray(entries, 70_000, 60);
  return { value: value.replace('"title":"', `"title":"${' '.repeat(MAX_COOKIE_LENGTH - value.length)}`), entries };
}

/** The issue's payload first, then the worst shapes of test/keepsake/cookie-parsing-limits.test.ts. */
const ADVERSARIAL_COOKIES: [string, Record<string, string>][] = [
  ['the issue\'s payload: [{"a":" then 16,377 }', { keepsake_bookmarks: fill('[{"a":"', '}') }],
  ['deep nesting: 16,384 [', { keepsake_bookmarks: fill('', '[') }],
  ['a cut-off array of one entry repeated 1,090 times', { keepsake_bookmarks: fill('[', '{"id":"65601"},', '{"id":"6') }],
  ['an ordinary array cut off at the limit', { keepsake_bookmarks: legacyPageArray(300, 70_000, 60).slice(0, MAX_COOKIE_LENGTH) }],
  ['an unterminated string of escaped backslashes', { keepsake_bookmarks: fill('[{"id":"65601"},{"title":"', '\\\\') }],
  ['thousands of empty entries', { keepsake_bookmarks: fill('[', '{},', '{}]') }],
  ['a 16,000-digit id', { keepsake_bookmarks: fill('[{"id":', '9', '}]') }],
  ['a comma list of nothing but commas', { keepsake_watches: fill('', ',') }],
  ['a comma list of 2,730 ids', { keepsake_watches: fill('', '65601,') }],
];

/** Milliseconds per parse of `cookies`: repeated for COOKIE_RUN_MS, the mean. */
function parseTime(cookies: Record<string, string>): number {
  const started = performance.now();
  let runs = 0;
  do {
    parseLegacyCookies(cookies);
    runs++;
  } while (performance.now() - started < COOKIE_RUN_MS);
  return (performance.now() - started) / runs;
}

/** Parse times, alternating the ordinary value and each adversarial one for COOKIE_ROUNDS rounds (medians). */
export function cookieParsing(): { ordinaryMs: number; ordinaryEntries: number; adversarial: [string, number][] } {
  const ordinary = ordinaryCookie();
  const ordinaryTimes: number[] = [];
  const adversarialTimes = ADVERSARIAL_COOKIES.map((): number[] => []);
  for (let round = 0; round < COOKIE_ROUNDS; round++) {
    ordinaryTimes.push(parseTime({ keepsake_bookmarks: ordinary.value }));
    ADVERSARIAL_COOKIES.forEach(([, cookies], i) => adversarialTimes[i].push(parseTime(cookies)));
  }
  return {
    ordinaryMs: median(ordinaryTimes),
    ordinaryEntries: ordinary.entries,
    adversarial: ADVERSARIAL_COOKIES.map(([name], i) => [name, median(adversarialTimes[i])]),
  };
}

/** Median latency of the migration endpoint for the issue's payload and for the ordinary value, one request at a time. */
export async function migrationLatency(url: string, auth: Record<string, string>): Promise<{ issueMs: number; ordinaryMs: number }> {
  const time = async (cookies: Record<string, string>) => {
    const started = performance.now();
    await json('POST', url, { cookies }, auth);
    return performance.now() - started;
  };
  const ordinary = { keepsake_bookmarks: ordinaryCookie().value };
  const issue = ADVERSARIAL_COOKIES[0][1];
  // The first ordinary migration stores the pages; the ones timed find them stored (as a browser's retry would).
  await time(ordinary);
  const issueTimes: number[] = [];
  const ordinaryTimes: number[] = [];
  for (let i = 0; i < MIGRATION_REQUESTS; i++) {
    issueTimes.push(await time(issue));
    ordinaryTimes.push(await time(ordinary));
  }
  return { issueMs: median(issueTimes), ordinaryMs: median(ordinaryTimes) };
}

/** Prints the parse times; answers the two ratios the targets are on. */
export function printCookieParsing(
  report: Report,
  parsing: ReturnType<typeof cookieParsing>,
  migration: { issueMs: number; ordinaryMs: number } | undefined,
): { issueRatio: number; worstRatio: number; worstName: string } {
  report.section(`Legacy cookie parse, one ${MAX_COOKIE_LENGTH}-character value (median of ${COOKIE_ROUNDS} rounds)`);
  const ms = (value: number) => `${value.toFixed(3).padStart(8)} ms`;
  for (const [name, value] of [
    [`ordinary: a complete JSON array of ${parsing.ordinaryEntries} pages`, parsing.ordinaryMs] as const,
    ...parsing.adversarial,
  ]) {
    report.line(`${name.padEnd(58)} ${ms(value)}`);
  }
  if (migration) {
    report.line(
      `POST /api/migrations/cookies, median of ${MIGRATION_REQUESTS} one at a time: the issue's payload ${migration.issueMs.toFixed(1)} ms, ordinary ${migration.ordinaryMs.toFixed(1)} ms`,
    );
  }
  const [worstName, worstMs] = parsing.adversarial.reduce((a, b) => (b[1] > a[1] ? b : a));
  return { issueRatio: parsing.adversarial[0][1] / parsing.ordinaryMs, worstRatio: worstMs / parsing.ordinaryMs, worstName };
}
