/**
 * A set of pages (bookmarks or watches) read a page at a time, newest first. The cursor names
 * the last entry given out — its time added and its page id, which together order every set
 * totally — not a position: entries added or removed while a client walks the set never make
 * it see an entry twice or miss one that is still there (entries added meanwhile are newer,
 * so they come before the cursor and show on the next first page).
 */
import { z } from 'zod';
import type { PageRef } from './schema';
import type { SetPage } from '../api/answers';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export type { SetPage };

/** An entry's place in the order: when it was added (ms), then its page id. */
interface Position {
  at: number;
  contentId: string;
}

const CURSOR_MESSAGE = 'cursor must be a nextCursor Keepsake gave; leave it out to start from the first page';
const LIMIT_MESSAGE = `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`;

export const setPageQuery = z.strictObject({
  cursor: z
    .string({ error: CURSOR_MESSAGE })
    .max(64, { error: CURSOR_MESSAGE })
    .transform((text, ctx) => {
      const position = decodeCursor(text);
      if (!position) ctx.issues.push({ code: 'custom', message: CURSOR_MESSAGE, input: text });
      return position as Position;
    })
    .optional(),
  limit: z
    .string({ error: LIMIT_MESSAGE })
    .regex(/^[0-9]{1,4}$/, { error: LIMIT_MESSAGE })
    .transform(Number)
    .pipe(z.number().int().min(1, { error: LIMIT_MESSAGE }).max(MAX_PAGE_SIZE, { error: LIMIT_MESSAGE }))
    .optional(),
});
export type SetPageQuery = z.infer<typeof setPageQuery>;

export function setPage(entries: readonly PageRef[], { cursor, limit = DEFAULT_PAGE_SIZE }: SetPageQuery): SetPage {
  const ordered = newestFirst(entries);
  const start = cursor ? firstAfter(ordered, cursor) : 0;
  const items = ordered.slice(start, start + limit);
  const last = items.at(-1);
  const more = start + items.length < ordered.length;
  return { items, total: ordered.length, nextCursor: more && last ? encodeCursor(positionOf(last)) : null };
}

/**
 * Sorted copies, kept while their set is (a change makes a new array, never edits one): the
 * pages of one walk share one sort.
 */
const sortedSets = new WeakMap<readonly PageRef[], PageRef[]>();

function newestFirst(entries: readonly PageRef[]): PageRef[] {
  let sorted = sortedSets.get(entries);
  if (!sorted) {
    sorted = entries
      .map((entry) => ({ entry, position: positionOf(entry) }))
      .sort((a, b) => compare(b.position, a.position))
      .map(({ entry }) => entry);
    sortedSets.set(entries, sorted);
  }
  return sorted;
}

/** The index of the first entry after `cursor` in newest-first order (binary search). */
function firstAfter(ordered: PageRef[], cursor: Position): number {
  let low = 0;
  let high = ordered.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compare(positionOf(ordered[middle]), cursor) >= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

function positionOf(entry: PageRef): Position {
  const at = Date.parse(entry.addedAt);
  return { at: Number.isNaN(at) ? 0 : at, contentId: entry.contentId };
}

/** Ascending order: by time added, then by page id as a number (ids are 1–20 digits). */
function compare(a: Position, b: Position): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  if (a.contentId.length !== b.contentId.length) return a.contentId.length - b.contentId.length;
  return a.contentId < b.contentId ? -1 : a.contentId > b.contentId ? 1 : 0;
}

function encodeCursor({ at, contentId }: Position): string {
  return Buffer.from(`${at}:${contentId}`).toString('base64url');
}

function decodeCursor(text: string): Position | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  const match = /^(-?[0-9]{1,16}):([0-9]{1,20})$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (!match) return undefined;
  const at = Number(match[1]);
  return Number.isSafeInteger(at) ? { at, contentId: match[2] } : undefined;
}
