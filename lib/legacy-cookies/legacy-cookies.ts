/**
 * The AP.cookie values older Keepsake versions kept in each browser, and a parser for each.
 * The legacy cookie (AUI's conglomerate cookie) silently dropped writes past about 4,020
 * characters, so a value may be cut short: what can be parsed is kept and the rest reported.
 * A value is erased from the browser only when everything it holds is stored: whatever cannot
 * be read stays where it is. docs/legacy-cookies.md documents every name and format.
 */
import { MAX_TITLE_LENGTH, VIEW_MODES, contentId, type PageRef, type Tracking, type ViewMode } from '../preferences/schema';
import type { CookieOutcome, CookieResult } from '../api/answers';
import { LEGACY_COOKIES } from './legacy-cookie-names';

/** Values at or past this length may have been cut off by the legacy cookie. */
export const TRUNCATION_LENGTH = 4000;
/** Accepted at most per cookie: anything larger did not come from a browser cookie. */
export const MAX_COOKIE_LENGTH = 16_384;
/**
 * Accepted at most in one request, every value together: the five Keepsake cookies at their
 * largest (81,920), so the panel, which sends only those, never meets it. With the per-value
 * limit it bounds what one request makes the parsers read; parsing is linear in it.
 */
export const MAX_COOKIES_TOTAL_LENGTH = Object.keys(LEGACY_COOKIES).length * MAX_COOKIE_LENGTH;

export type { CookieOutcome, CookieResult };

export interface LegacyValues {
  /** When the browser last saved (from keepsake_saved_at); single values newer than the stored ones win. */
  savedAt?: string;
  viewMode?: ViewMode;
  tracking?: Partial<Tracking>;
  bookmarks?: PageRef[];
  watches?: PageRef[];
}

/** `now` dates pages whose cookie says nothing of when they were added. */
export function parseLegacyCookies(cookies: Record<string, string>, now = new Date()): { values: LegacyValues; results: CookieResult[] } {
  const values: LegacyValues = {};
  const results: CookieResult[] = [];
  const savedAtValue = cookies[LEGACY_COOKIES.savedAt];
  const savedAt = parseSavedAt(savedAtValue === undefined ? undefined : unwrapStoredForm(savedAtValue));
  if (savedAt) values.savedAt = savedAt;
  const fallbackDate = savedAt ?? now.toISOString();

  for (const [cookie, stored] of Object.entries(cookies)) {
    const raw = unwrapStoredForm(stored);
    switch (cookie) {
      case LEGACY_COOKIES.savedAt:
        results.push(
          savedAt ? ok(cookie) : rejected(cookie, 'MALFORMED', 'keepsake_saved_at must be a date (milliseconds since 1970 or ISO-8601).'),
        );
        break;
      case LEGACY_COOKIES.viewMode: {
        const mode = raw.trim();
        if ((VIEW_MODES as readonly string[]).includes(mode)) {
          values.viewMode = mode as ViewMode;
          results.push(ok(cookie));
        } else {
          results.push(
            rejected(cookie, 'MALFORMED', `keepsake_view_mode must be one of ${VIEW_MODES.join(', ')}; it was "${raw.slice(0, 40)}".`),
          );
        }
        break;
      }
      case LEGACY_COOKIES.tracking: {
        const { tracking, bad } = parseTracking(raw);
        if (Object.keys(tracking).length === 0) {
          results.push(
            rejected(cookie, 'MALFORMED', 'keepsake_tracking holds no readable setting (expected analytics:1,productEmails:0).'),
          );
        } else {
          values.tracking = tracking;
          results.push(
            bad.length
              ? partial(cookie, 'INVALID_ENTRY', `Unreadable parts left in the browser: ${bad.join(', ').slice(0, 200)}.`, false)
              : ok(cookie),
          );
        }
        break;
      }
      case LEGACY_COOKIES.bookmarks:
      case LEGACY_COOKIES.watches: {
        const set = cookie === LEGACY_COOKIES.bookmarks ? 'bookmarks' : 'watches';
        const { pages, problem } = parsePages(raw, fallbackDate);
        if (pages.length === 0 && problem) {
          results.push(rejected(cookie, problem.code, problem.message));
        } else {
          values[set] = pages;
          results.push(problem ? partial(cookie, problem.code, problem.message, problem.erase) : ok(cookie));
        }
        break;
      }
      default:
        results.push({ cookie, outcome: 'ignored', erase: false, code: 'UNKNOWN_COOKIE', message: 'Not a Keepsake cookie; left alone.' });
    }
  }
  return { values, results };
}

function ok(cookie: string): CookieResult {
  return { cookie, outcome: 'migrated', erase: true };
}

/** `erase`: whether what was not stored is only the unfinished end of a cut-off value, which nobody can read. */
function partial(cookie: string, code: CookieResult['code'], message: string, erase: boolean): CookieResult {
  return { cookie, outcome: 'partial', erase, code, message };
}

/** Nothing in it could be read: it stays in the browser, untouched, and is reported. */
function rejected(cookie: string, code: CookieResult['code'], message: string): CookieResult {
  return { cookie, outcome: 'rejected', erase: false, code, message };
}

/**
 * A value in the `{"value", "expires"}` form a host may keep it in (the emulator's assumed
 * localStorage form), if the host hands it over as stored: its value, whatever `expires` says
 * (it is the user's, and it is here). Any other value as it is.
 */
export function unwrapStoredForm(stored: string): string {
  const text = stored.trim();
  if (!text.startsWith('{')) return stored;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return stored;
    const { value } = parsed as { value?: unknown };
    const onlyWrapperKeys = Object.keys(parsed).every((key) => key === 'value' || key === 'expires');
    return typeof value === 'string' && onlyWrapperKeys ? value : stored;
  } catch {
    return stored;
  }
}

function parseSavedAt(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  const date = /^\d+$/.test(trimmed) ? new Date(Number(trimmed)) : new Date(trimmed);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** `analytics:1,productEmails:0` (older versions also wrote `=` and true/false). */
function parseTracking(raw: string): { tracking: Partial<Tracking>; bad: string[] } {
  const tracking: Partial<Tracking> = {};
  const bad: string[] = [];
  for (const part of raw
    .split(/[,;|]/)
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^(analytics|productEmails)\s*[:=]\s*(1|0|true|false)$/.exec(part);
    if (match) tracking[match[1] as keyof Tracking] = match[2] === '1' || match[2] === 'true';
    else bad.push(part);
  }
  return { tracking, bad };
}

interface PageProblem {
  code: 'TRUNCATED' | 'MALFORMED' | 'INVALID_ENTRY';
  message: string;
  /** Whether the browser may erase the value: only when what is left out is the unfinished end of a cut-off list. */
  erase: boolean;
}

/**
 * Two formats: a JSON array of {id, title?, at?} or of bare ids (newer versions) or
 * comma-separated ids (older ones). A JSON array cut off mid-way keeps every entry that was
 * complete; one spoilt part-way keeps the entries before the fault and stays in the browser.
 */
function parsePages(raw: string, fallbackDate: string): { pages: PageRef[]; problem?: PageProblem } {
  const text = raw.trim();
  if (text.startsWith('[')) return parseJsonPages(text, fallbackDate);
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const cut = text.length >= TRUNCATION_LENGTH;
  // When the cookie was cut off, its last id may be a prefix of the real one: drop it.
  const candidates = cut ? parts.slice(0, -1) : parts;
  const pages = dedupe(candidates.filter((id) => contentId.safeParse(id).success).map((id) => page(id, '', fallbackDate)));
  const invalid = candidates.length - candidates.filter((id) => contentId.safeParse(id).success).length;
  // The last id may also be whole: it is not stored, so the value stays in the browser.
  if (cut)
    return {
      pages,
      problem: {
        code: 'TRUNCATED',
        message: `The value may have been cut off at ${text.length} characters by the old cookie; its last id was not stored and the value stays in the browser.`,
        erase: false,
      },
    };
  if (invalid > 0)
    return {
      pages,
      problem: {
        code: pages.length ? 'INVALID_ENTRY' : 'MALFORMED',
        message: `${invalid} entr${invalid === 1 ? 'y is' : 'ies are'} not page ids; the value stays in the browser.`,
        erase: false,
      },
    };
  return { pages };
}

function parseJsonPages(text: string, fallbackDate: string): { pages: PageRef[]; problem?: PageProblem } {
  let entries: unknown[];
  /** Not JSON: `cut` when the text is a JSON array that stops short, else spoilt part-way. */
  let unparsed: { cut: boolean } | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed))
      return { pages: [], problem: { code: 'MALFORMED', message: 'Expected a JSON array of pages.', erase: false } };
    entries = parsed;
  } catch {
    const salvaged = salvage(text);
    entries = salvaged.entries;
    unparsed = { cut: salvaged.cut };
  }
  const pages: PageRef[] = [];
  let invalid = 0;
  for (const entry of entries) {
    // An entry is {id, title?, at?}, or the id alone.
    const e = (typeof entry === 'object' ? entry : { id: entry }) as { id?: unknown; title?: unknown; at?: unknown } | null;
    // A number past 2^53 has lost digits: it would name another page, so it is not an id.
    const id = typeof e?.id === 'number' ? (Number.isSafeInteger(e.id) ? String(e.id) : undefined) : e?.id;
    if (typeof id !== 'string' || !contentId.safeParse(id).success) {
      invalid++;
      continue;
    }
    const title = typeof e?.title === 'string' ? e.title.slice(0, MAX_TITLE_LENGTH) : '';
    const at = typeof e?.at === 'number' || typeof e?.at === 'string' ? new Date(e.at) : undefined;
    pages.push(page(id, title, at && !Number.isNaN(at.getTime()) ? at.toISOString() : fallbackDate));
  }
  const unique = dedupe(pages);
  const kept = `${unique.length} complete entr${unique.length === 1 ? 'y' : 'ies'}`;
  if (unparsed && unique.length === 0)
    return {
      pages: unique,
      problem: { code: 'MALFORMED', message: 'The value is not a readable JSON array of pages; it stays in the browser.', erase: false },
    };
  // Cut off: all that is left out is the unfinished last entry, which nobody can read.
  if (unparsed?.cut && invalid === 0)
    return { pages: unique, problem: { code: 'TRUNCATED', message: `The value was cut off after ${kept}; those were kept.`, erase: true } };
  if (unparsed)
    return {
      pages: unique,
      problem: {
        code: 'INVALID_ENTRY',
        message: `The value could not be read past ${kept}; those were kept and the value stays in the browser.`,
        erase: false,
      },
    };
  if (invalid > 0)
    return {
      pages: unique,
      problem: {
        code: unique.length ? 'INVALID_ENTRY' : 'MALFORMED',
        message: `${invalid} entr${invalid === 1 ? 'y has' : 'ies have'} no valid page id; the value stays in the browser.`,
        erase: false,
      },
    };
  return { pages: unique };
}

/**
 * The complete elements at the start of a JSON array that was cut off (or spoilt part-way): every
 * element up to the last object that closes before the text stops being JSON — exactly what
 * `JSON.parse(prefix + "]")` accepts for the longest prefix ending in `}`. Found in one pass over
 * the text and parsed once, so the work is linear in the length of the value however it nests
 * or repeats (the first version re-parsed the text once per `}`: quadratic).
 */
export function salvageArray(text: string): unknown[] {
  return salvage(text).entries;
}

/**
 * salvageArray's entries, and whether the text was cut off rather than spoilt: the scan met
 * the end of the text (inside a string or between tokens) before any fault, so everything
 * after the last complete element is an element that was never finished.
 */
function salvage(text: string): { entries: unknown[]; cut: boolean } {
  const { last: end, reachedEnd: cut } = lastCompleteElement(text);
  if (end < 0) return { entries: [], cut };
  // The scan found a valid prefix, so this parse cannot fail; if it ever did, the request fails
  // (500) and the browser keeps the cookie, rather than the cookie being called unreadable.
  const parsed: unknown = JSON.parse(`${text.slice(0, end + 1)}]`);
  return { entries: Array.isArray(parsed) ? parsed : [], cut };
}

const JSON_WHITESPACE: ReadonlySet<string | undefined> = new Set([' ', '\t', '\n', '\r']);
const LITERALS = ['true', 'false', 'null'] as const;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
// eslint-disable-next-line no-control-regex -- a JSON string may not hold control characters: they end the run
const STRING_RUN = /[^"\\\u0000-\u001f]*/y;
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;

/** The end of what the sticky `pattern` matches at `at`, or -1. */
function matchAt(pattern: RegExp, text: string, at: number): number {
  pattern.lastIndex = at;
  return pattern.test(text) ? pattern.lastIndex : -1;
}

/**
 * The index just past the string starting at `at` (a `"`); the text's length when the text ends
 * inside it (cut off); -1 when it is not valid JSON.
 */
function endOfString(text: string, at: number): number {
  let i = at + 1;
  for (;;) {
    i = matchAt(STRING_RUN, text, i);
    if (i >= text.length) return text.length;
    if (text[i] === '"') return i + 1;
    if (text[i] !== '\\') return -1; // a control character
    i = matchAt(ESCAPE, text, i);
    if (i < 0) return -1;
  }
}

/**
 * A JSON syntax check of `text` (which starts with `[`) that stops at the first character where
 * the text can no longer be the start of a JSON value, with an explicit stack (no recursion:
 * any depth). Answers the index of the last `}` before that point that closes an element of the
 * outermost array, or -1, and whether the scan reached the end of the text with no fault.
 * Every step moves forward, so the work is linear.
 */
function lastCompleteElement(text: string): { last: number; reachedEnd: boolean } {
  const open: ('[' | '{')[] = [];
  let expect: 'value' | 'value-or-]' | 'key' | 'key-or-}' | ':' | 'after-value' = 'value';
  let last = -1;
  let i = 0;
  for (;;) {
    while (JSON_WHITESPACE.has(text[i])) i++;
    if (i >= text.length) return { last, reachedEnd: true };
    const c = text[i];
    const top: '[' | '{' | undefined = open[open.length - 1];
    if (expect === 'after-value') {
      if (c === ',' && top !== undefined) {
        expect = top === '[' ? 'value' : 'key';
        i++;
      } else if ((c === ']' && top === '[') || (c === '}' && top === '{')) {
        open.pop();
        if (c === '}' && open.length === 1) last = i;
        i++;
      } else {
        return { last, reachedEnd: false };
      }
    } else if (expect === 'key' || expect === 'key-or-}') {
      if (c === '}' && expect === 'key-or-}') {
        open.pop();
        if (open.length === 1) last = i;
        expect = 'after-value';
        i++;
      } else if (c === '"') {
        i = endOfString(text, i);
        if (i < 0) return { last, reachedEnd: false };
        expect = ':';
      } else {
        return { last, reachedEnd: false };
      }
    } else if (expect === ':') {
      if (c !== ':') return { last, reachedEnd: false };
      expect = 'value';
      i++;
    } else if (c === ']' && expect === 'value-or-]') {
      open.pop();
      expect = 'after-value';
      i++;
    } else if (c === '[' || c === '{') {
      open.push(c);
      expect = c === '[' ? 'value-or-]' : 'key-or-}';
      i++;
    } else {
      if (c === '"') i = endOfString(text, i);
      else if (c === '-' || (c >= '0' && c <= '9')) i = matchAt(NUMBER, text, i);
      else {
        const literal = LITERALS.find((word) => text.startsWith(word, i));
        i = literal ? i + literal.length : -1;
      }
      if (i < 0) return { last, reachedEnd: false };
      expect = 'after-value';
    }
  }
}

function page(id: string, title: string, addedAt: string): PageRef {
  return { contentId: id, title, addedAt };
}

function dedupe(pages: PageRef[]): PageRef[] {
  const seen = new Set<string>();
  return pages.filter((p) => !seen.has(p.contentId) && seen.add(p.contentId));
}
