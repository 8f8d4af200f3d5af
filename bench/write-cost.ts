// Confluence calls per write, at each set size, one write at a time, every write changing
// something: view-mode PATCHes that each set another mode, removes of pages in the set and
// adds of them back; and, on a full set, an add Keepsake must refuse without writing anything.
import { isWrite, type EmulatorControl } from './emulator-control';
import { HttpCallError } from './http-json';
import type { BenchPage, BenchUser, KeepsakeClient } from './population';
import type { Report } from './report';

const WRITES = 10;
/** The most pages a set holds (docs/api.md). */
export const SET_LIMIT = 1_000;

interface Cost {
  calls: number;
  writes: number;
  ms: number;
}

export interface WriteCost {
  /** Confluence calls per write, of them the writes (PUT, POST or DELETE of a property), and the mean time a write took. */
  patch: Cost;
  add: Cost;
  remove: Cost;
  /** On a full set only: the refused add's status, calls and writes. */
  refused?: Cost & { status: number };
}

export async function measureWriteCost(
  report: Report,
  control: EmulatorControl,
  keepsake: KeepsakeClient,
  bySetSize: ReadonlyMap<number, BenchUser>,
  pages: readonly BenchPage[],
): Promise<Map<number, WriteCost>> {
  await control.settle();
  report.section(
    `Confluence calls per write that changes something, one at a time (${WRITES} of each: calls (of which writes), mean time)`,
  );
  const costs = new Map<number, WriteCost>();
  const counted = async (writes: () => Promise<void>, per = WRITES) => {
    await control.clearCalls();
    const started = performance.now();
    await writes();
    const ms = (performance.now() - started) / per;
    const calls = await control.calls();
    return { calls: calls.length / per, writes: calls.filter(isWrite).length / per, ms };
  };
  for (const [size, user] of bySetSize) {
    const members = pages.slice(size - WRITES, size).reverse();
    const modes = ['compact', 'focus'];
    const cost: WriteCost = {
      patch: await counted(async () => {
        for (let i = 0; i < WRITES; i++) await keepsake.call(user, 'PATCH', '/api/preferences', { viewMode: modes[i % 2] });
      }),
      remove: await counted(async () => {
        for (const page of members) await keepsake.call(user, 'DELETE', `/api/bookmarks/${page.id}`);
      }),
      add: await counted(async () => {
        for (const page of members) await keepsake.call(user, 'POST', '/api/bookmarks', { contentId: page.id });
      }),
    };
    if (size >= SET_LIMIT) {
      let status = 200;
      const refused = await counted(async () => {
        try {
          await keepsake.call(user, 'POST', '/api/bookmarks', { contentId: pages[size].id });
        } catch (error) {
          if (!(error instanceof HttpCallError)) throw error;
          status = error.status;
        }
      }, 1);
      cost.refused = { status, ...refused };
    }
    costs.set(size, cost);
    const figure = (f: Cost) => `${f.calls.toFixed(2)} (${f.writes.toFixed(2)}) ${f.ms.toFixed(0)} ms`;
    report.line(
      `${`${size.toLocaleString('en')} bookmarks:`.padEnd(18)} PATCH ${figure(cost.patch)}   add ${figure(cost.add)}   remove ${figure(cost.remove)}` +
        (cost.refused ? `   add to the full set: ${cost.refused.status}, ${cost.refused.calls} calls, ${cost.refused.writes} writes` : ''),
    );
  }
  return costs;
}
