// ChunkPlan decides what a change writes (issue 11): a change touches only the chunks that held
// what changed, a chunk is never changed in place, order is kept, and chunks stay within about
// twice the fewest possible however items come and go.
import assert from 'node:assert/strict';
import type { PageRef } from '../../lib/preferences/schema';
import { itemBytes, pack, planSet, type Budgets, type SetLayout, type SetPlan } from '../../lib/storage/chunk-plan';

const item = (n: number): PageRef => ({
  contentId: String(100_000 + n),
  title: `Page ${n} `.padEnd(60, 'x'),
  addedAt: new Date(Date.UTC(2024, 0, 1) + n * 1000).toISOString(),
});
const items = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => item(from + i));
/** About 10 items a chunk, 3 in the tail. */
const BUDGETS: Budgets = { chunk: itemBytes(item(0)) * 10, tail: itemBytes(item(0)) * 3 };

function namer() {
  let n = 0;
  return () => ({ name: `c-${n++}`, tag: `t${n}` });
}

/** Applies a plan the way DocumentStore does, giving the new layout and what each chunk holds. */
function apply(plan: SetPlan, held: Map<string, PageRef[]>): { layout: SetLayout; held: Map<string, PageRef[]>; all: PageRef[] } {
  const next = new Map(held);
  for (const name of plan.drops) next.delete(name);
  for (const chunk of plan.creates) {
    assert.ok(!held.has(chunk.name), `${chunk.name} is a new name: chunks are never changed in place`);
    next.set(chunk.name, chunk.items);
  }
  const all = [...plan.chunks.flatMap((ref) => next.get(ref.name) ?? assert.fail(`${ref.name} is listed but not held`)), ...plan.tail];
  plan.chunks.forEach((ref) => assert.equal(next.get(ref.name)!.length, ref.count));
  return { layout: { chunks: plan.chunks }, held: next, all };
}

describe('ChunkPlan', () => {
  it('keeps a small set inline in the tail', () => {
    const plan = planSet(undefined, [], items(0, 3), BUDGETS, namer());
    assert.deepEqual([plan.chunks.length, plan.tail.length, plan.creates.length], [0, 3, 0]);
  });

  it('lays a large set out in full chunks, in order, within the chunk budget', () => {
    const set = items(0, 95);
    const plan = planSet(undefined, [], set, BUDGETS, namer());
    const { all } = apply(plan, new Map());
    assert.deepEqual(all, set);
    for (const chunk of plan.creates) assert.ok(pack(chunk.items, BUDGETS.chunk).length === 1, 'each chunk within the budget');
    assert.ok(plan.chunks.length <= Math.ceil(95 / 10) + 1);
  });

  it('appends to the tail without touching a chunk, and flushes a full tail into one new chunk', () => {
    const next = namer();
    const first = planSet(undefined, [], items(0, 40), BUDGETS, next);
    let state = apply(first, new Map());
    let previous = items(0, 40);
    let creates = 0;
    for (let n = 40; n < 60; n++) {
      const set = [...previous, item(n)];
      const plan = planSet(state.layout, previous, set, BUDGETS, next);
      assert.deepEqual(plan.drops, [], 'an add drops nothing');
      assert.ok(plan.creates.length <= 1, 'an add writes at most one chunk');
      creates += plan.creates.length;
      state = apply(plan, state.held);
      assert.deepEqual(state.all, set);
      previous = set;
    }
    assert.ok(creates >= 1 && creates <= 20 / 3, `tails flushed now and then (${creates})`);
  });

  it('rewrites only the chunk that held a removed item, and merges a chunk that shrank below half', () => {
    const next = namer();
    let previous = items(0, 100);
    let state = apply(planSet(undefined, [], previous, BUDGETS, next), new Map());
    for (let round = 0; round < 80; round++) {
      const victim = previous[(round * 37) % previous.length];
      const set = previous.filter((p) => p !== victim);
      const plan = planSet(state.layout, previous, set, BUDGETS, next);
      assert.ok(
        plan.drops.length <= 2 && plan.creates.length <= 1,
        `round ${round}: ${plan.drops.length} drops, ${plan.creates.length} creates`,
      );
      state = apply(plan, state.held);
      assert.deepEqual(state.all, set, 'the rest, in order');
      // Never far from the fewest chunks the items need.
      const fewest = pack(set, BUDGETS.chunk).length;
      assert.ok(state.layout.chunks.length <= 2 * fewest + 1, `${state.layout.chunks.length} chunks for ${set.length} items`);
      previous = set;
    }
  });

  it('lays the set out afresh when the change is not removals and appends (order changed)', () => {
    const previous = items(0, 30);
    const state = apply(planSet(undefined, [], previous, BUDGETS, namer()), new Map());
    const reordered = [...previous].reverse();
    const plan = planSet(state.layout, previous, reordered, BUDGETS, namer());
    assert.deepEqual(plan.drops.sort(), state.layout.chunks.map((c) => c.name).sort(), 'every old chunk dropped');
    assert.deepEqual([...plan.creates.flatMap((c) => c.items), ...plan.tail], reordered);
  });

  it('lays the set out afresh when the layout does not match the items (counts beyond them)', () => {
    const plan = planSet({ chunks: [{ name: 'c-9', tag: 't', count: 50 }] }, items(0, 5), items(0, 5), BUDGETS, namer());
    assert.deepEqual(plan.drops, ['c-9']);
    assert.deepEqual([...plan.creates.flatMap((c) => c.items), ...plan.tail], items(0, 5));
  });
});
