/**
 * Where a set's items go when it changes, so that a write touches only what changed.
 *
 * A set (bookmarks or watches) is kept in insertion order as a run of chunk records followed by
 * a tail held inline in `main`. Each chunk holds a contiguous stretch of the set; the manifest
 * in `main` names the chunks in order and how many items each holds. New items go to the tail;
 * a tail that outgrows its budget is flushed whole into a new chunk. A chunk that lost items is
 * written anew under a new name (chunks are never changed in place, so a write cut short leaves
 * the previous record whole), dropped when empty, and merged with the next stretch (or the tail)
 * when it shrank below half a chunk and both fit one — which keeps any two neighbours above half
 * a chunk, so the number of chunks stays within about twice the fewest possible, and a removal
 * writes at most one chunk and drops at most two.
 *
 * Pure: the plan says what to create, what to drop and what `main` lists; DocumentStore does it.
 */
import type { PageRef } from '../preferences/schema';

/** A chunk as `main` lists it: its record name, the tag its content must carry, and its size. */
export interface ChunkRef {
  name: string;
  tag: string;
  count: number;
}

export interface SetLayout {
  chunks: ChunkRef[];
}

export interface ChunkWrite {
  name: string;
  tag: string;
  items: PageRef[];
}

export interface SetPlan {
  chunks: ChunkRef[];
  tail: PageRef[];
  /** Chunks to create, under names that do not exist yet. */
  creates: ChunkWrite[];
  /** Chunks `main` no longer lists, to remove once `main` is written. */
  drops: string[];
}

export interface Budgets {
  /** The most bytes of items the tail holds before it is flushed into a chunk. */
  tail: number;
  /** The most bytes of items one chunk holds. */
  chunk: number;
}

/** A new chunk's name and tag: each call gives names never given before for this user. */
export type NewChunk = () => { name: string; tag: string };

export function itemBytes(item: PageRef): number {
  return Buffer.byteLength(JSON.stringify(item), 'utf8') + 1; // and its comma
}

function bytesOf(items: PageRef[]): number {
  return items.reduce((sum, item) => sum + itemBytes(item), 0);
}

/**
 * Plans the set `items` over the previous layout of `previousItems`. When `items` is not the
 * previous items with some removed and others appended (nothing Keepsake does changes order),
 * or there is no previous layout, every item is laid out afresh.
 */
export function planSet(
  previous: SetLayout | undefined,
  previousItems: PageRef[],
  items: PageRef[],
  budgets: Budgets,
  newChunk: NewChunk,
): SetPlan {
  const stretches = previous && splitByLayout(previous, previousItems);
  if (!stretches || !keepsOrder(previousItems, items)) return fresh(previous, items, budgets, newChunk);

  const present = new Set(items.map((item) => item.contentId));
  const known = new Set(previousItems.map((item) => item.contentId));
  const appended = items.filter((item) => !known.has(item.contentId));
  const chunks: ChunkRef[] = [];
  const creates: ChunkWrite[] = [];
  const drops: string[] = [];
  /** Items of shrunk chunks waiting for the next stretch (or the tail) to join. */
  let carry: PageRef[] = [];

  const kept = stretches.chunks.map(({ items: held }) => held.filter((item) => present.has(item.contentId)));
  stretches.chunks.forEach(({ ref, items: held }, i) => {
    if (kept[i].length === held.length && carry.length === 0) {
      chunks.push(ref);
      return;
    }
    drops.push(ref.name);
    const merged = [...carry, ...kept[i]];
    carry = [];
    if (merged.length === 0) return;
    // Too small to stand alone: it joins the next stretch when both fit one chunk (the last
    // joins the tail), so a change still writes at most one chunk anew.
    const next = kept[i + 1];
    if (bytesOf(merged) < budgets.chunk / 2 && (next === undefined || bytesOf(merged) + bytesOf(next) <= budgets.chunk)) {
      carry = merged;
      return;
    }
    const chunk = { ...newChunk(), items: merged };
    creates.push(chunk);
    chunks.push({ name: chunk.name, tag: chunk.tag, count: merged.length });
  });

  let tail = [...carry, ...stretches.tail.filter((item) => present.has(item.contentId)), ...appended];
  if (bytesOf(tail) > budgets.tail) {
    for (const group of pack(tail, budgets.chunk)) {
      const chunk = { ...newChunk(), items: group };
      creates.push(chunk);
      chunks.push({ name: chunk.name, tag: chunk.tag, count: group.length });
    }
    tail = [];
  }
  return { chunks, tail, creates, drops };
}

/** Every item laid out anew: full chunks, and what is left in the tail. */
function fresh(previous: SetLayout | undefined, items: PageRef[], budgets: Budgets, newChunk: NewChunk): SetPlan {
  const drops = previous?.chunks.map((ref) => ref.name) ?? [];
  if (bytesOf(items) <= budgets.tail) return { chunks: [], tail: [...items], creates: [], drops };
  const groups = pack(items, budgets.chunk);
  // The last group stays inline when it is small enough: the next adds join it there.
  const tail = bytesOf(groups[groups.length - 1]) <= budgets.tail ? (groups.pop() ?? []) : [];
  const creates = groups.map((group) => ({ ...newChunk(), items: group }));
  return { chunks: creates.map(({ name, tag, items: held }) => ({ name, tag, count: held.length })), tail, creates, drops };
}

/** The previous items cut along the layout's chunks; undefined when the counts do not add up. */
function splitByLayout(
  layout: SetLayout,
  items: PageRef[],
): { chunks: { ref: ChunkRef; items: PageRef[] }[]; tail: PageRef[] } | undefined {
  let offset = 0;
  const chunks = layout.chunks.map((ref) => {
    const held = items.slice(offset, offset + ref.count);
    offset += ref.count;
    return { ref, items: held };
  });
  return offset > items.length ? undefined : { chunks, tail: items.slice(offset) };
}

/** Whether `next` is `previous` with some items removed and others appended, in order. */
function keepsOrder(previous: PageRef[], next: PageRef[]): boolean {
  const known = new Set(previous.map((item) => item.contentId));
  const survivors = next.filter((item) => known.has(item.contentId));
  const firstNew = next.findIndex((item) => !known.has(item.contentId));
  if (firstNew !== -1 && next.slice(firstNew).some((item) => known.has(item.contentId))) return false;
  let at = 0;
  for (const item of previous) {
    if (at < survivors.length && survivors[at].contentId === item.contentId) at++;
  }
  return at === survivors.length;
}

/**
 * Packs items, in order, into as few groups of at most `budget` bytes as they fit, of about
 * equal size: a greedy packing would leave a small last group, which the next removal from it
 * would have to merge again.
 */
export function pack(items: PageRef[], budget: number): PageRef[][] {
  const greedy = packGreedily(items, budget);
  if (greedy.length < 2) return greedy;
  const target = bytesOf(items) / greedy.length;
  const even: PageRef[][] = [];
  let current: PageRef[] = [];
  let size = 0;
  for (const item of items) {
    const bytes = itemBytes(item);
    if (current.length > 0 && size + bytes / 2 > target && even.length < greedy.length - 1) {
      even.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += bytes;
  }
  even.push(current);
  return even.every((group) => bytesOf(group) <= budget) ? even : greedy;
}

function packGreedily(items: PageRef[], budget: number): PageRef[][] {
  const groups: PageRef[][] = [];
  let current: PageRef[] = [];
  let size = 0;
  for (const item of items) {
    const bytes = itemBytes(item);
    if (current.length > 0 && size + bytes > budget) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += bytes;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
