// Every entry of a user's bookmarks or watches, read the way My Keepsake reads them: page by
// page through GET /api/{set}?cursor= (newest first), since the preferences carry only counts.
import assert from 'node:assert/strict';
import type { PageRef, SetName, SetPage } from '../../frontend/shared/api-types';

/** Asks Keepsake for one path as the user (e.g. `(path) => stack.api(alice, 'GET', path)`). */
export type GetAsUser = (path: string) => Promise<{ status: number; body: unknown }>;

export async function setEntries(get: GetAsUser, set: SetName): Promise<PageRef[]> {
  const entries: PageRef[] = [];
  let cursor: string | null = '';
  do {
    const reply = await get(`/api/${set}?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    const page = reply.body as SetPage;
    entries.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return entries;
}

/** The page ids of a set, sorted (for comparing with what a test put in, in any order). */
export async function setIds(get: GetAsUser, set: SetName): Promise<string[]> {
  return (await setEntries(get, set)).map((p) => p.contentId).sort();
}
