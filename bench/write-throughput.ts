// Write throughput where every write changes something: each user's requests walk through
// adding K pages one after another and then removing them again, so no request finds its change
// already made — unlike alternating POST and DELETE of one page over many connections, where most
// arrive out of turn and change nothing. One user over 10 connections (their writes wait for each
// other: the per-user lock is the point) against 50 users over 50 connections, one each, both
// beside the emulator's own direct PUT in the same rounds. The emulator's log shows how many
// writes reached Confluence.
import type { Options, Result } from 'autocannon';
import type { DirectCalls } from './direct-calls';
import { isWrite, REQUEST_LOG_CAPACITY, type EmulatorControl } from './emulator-control';
import { CONNECTIONS, ROUNDS, WRITE_DURATION_S, figuresOf, median, runLoad, type LoadFigures } from './load';
import { cpuMsPerRequest, watchMachineCpu } from './machine-cpu';
import type { BenchPage, BenchUser, KeepsakeClient } from './population';
import type { Report } from './report';

/**
 * The delay of the second write run's Confluence calls, ms: a round trip to a site across a network
 * (an assumption, chosen low on purpose: docs/performance.md says why).
 */
export const CONFLUENCE_LATENCY_MS = Number(process.env.BENCH_CONFLUENCE_LATENCY_MS ?? 10);

/** More pages per user than connections, so that a user's add of a page is answered before its remove is sent. */
const PAGES_PER_USER = 20;

export interface WriteCase {
  name: string;
  users: readonly BenchUser[];
  connections: number;
}

export interface WriteFigures {
  /** The delay the emulator added to every REST call during these runs, ms (0: loopback). */
  latencyMs: number;
  direct: LoadFigures;
  /**
   * `reachedConfluence`: property writes Confluence received per 2xx answer (1 when every
   * request changed something and wrote one record); `busy`: the share of the whole machine's
   * CPU in use during the runs; `cpuMs`: the machine's CPU time per answered write.
   */
  cases: Map<string, LoadFigures & { reachedConfluence: number | undefined; busy: number; cpuMs: number }>;
}

/**
 * Requests that walk each user through add p1…pK, remove p1…pK, again; users take turns. A run's
 * end leaves requests unanswered, which Keepsake may drop: `resync` starts each user again from
 * the pages they hold (removing those first), so the next run's requests each change something.
 */
class ChangingWrites {
  private next = 0;
  private readonly walks = new Map<string, { removeFirst: string[]; step: number }>();

  constructor(
    private readonly users: readonly BenchUser[],
    private readonly pages: readonly BenchPage[],
  ) {}

  async resync(keepsake: KeepsakeClient): Promise<void> {
    for (const user of this.users) {
      const held = await keepsake.call<{ items: { contentId: string }[] }>(user, 'GET', '/api/bookmarks?limit=200');
      this.walks.set(user.accountId, { removeFirst: held.items.map((i) => i.contentId), step: 0 });
    }
  }

  options(): Partial<Options> {
    return {
      requests: [
        {
          setupRequest: (request) => {
            const user = this.users[this.next++ % this.users.length];
            const walk = this.walks.get(user.accountId)!;
            const headers = { ...request.headers, authorization: `JWT ${user.token}`, 'content-type': 'application/json' };
            const removed = walk.removeFirst.shift();
            if (removed !== undefined) return { ...request, method: 'DELETE', path: `/api/bookmarks/${removed}`, headers, body: undefined };
            const step = walk.step++ % (2 * this.pages.length);
            return step < this.pages.length
              ? { ...request, method: 'POST', path: '/api/bookmarks', headers, body: JSON.stringify({ contentId: this.pages[step].id }) }
              : {
                  ...request,
                  method: 'DELETE',
                  path: `/api/bookmarks/${this.pages[step - this.pages.length].id}`,
                  headers,
                  body: undefined,
                };
          },
        },
      ],
    };
  }
}

export async function measureWrites(
  report: Report,
  control: EmulatorControl,
  keepsake: KeepsakeClient,
  direct: DirectCalls,
  cases: readonly WriteCase[],
  pages: readonly BenchPage[],
  latencyMs: number,
): Promise<WriteFigures> {
  await control.setLatency(latencyMs);
  try {
    const walk = pages.slice(0, PAGES_PER_USER);
    const loads = new Map(cases.map((c) => [c.name, new ChangingWrites(c.users, walk)]));
    const directResults: Result[] = [];
    const caseResults = new Map<string, Result[]>(cases.map((c) => [c.name, []]));
    const written = new Map<string, number | undefined>(cases.map((c) => [c.name, 0]));
    const answered = new Map<string, number>(cases.map((c) => [c.name, 0]));
    const busy = new Map<string, number[]>(cases.map((c) => [c.name, []]));
    await control.settle();
    for (let round = 0; round < ROUNDS; round++) {
      directResults.push(await runLoad(direct.url, { ...direct.put, duration: WRITE_DURATION_S }));
      for (const c of cases) {
        await control.settle();
        const load = loads.get(c.name)!;
        await load.resync(keepsake);
        await control.clearCalls();
        const machine = watchMachineCpu();
        const result = await runLoad(keepsake.url, { ...load.options(), connections: c.connections, duration: WRITE_DURATION_S });
        busy.get(c.name)!.push(machine());
        caseResults.get(c.name)!.push(result);
        // Writes that landed while the load ran, against the answers it received (a request still
        // in flight at the end may have written without being answered: at most one per connection).
        const calls = await control.calls();
        const sofar = written.get(c.name);
        written.set(c.name, calls.length >= REQUEST_LOG_CAPACITY || sofar === undefined ? undefined : sofar + calls.filter(isWrite).length);
        answered.set(c.name, answered.get(c.name)! + result['2xx']);
      }
    }
    const figures: WriteFigures = { latencyMs, direct: figuresOf(directResults), cases: new Map() };
    for (const c of cases) {
      const f = figuresOf(caseResults.get(c.name)!);
      const writes = written.get(c.name);
      const share = median(busy.get(c.name)!);
      figures.cases.set(c.name, {
        ...f,
        reachedConfluence: writes === undefined ? undefined : writes / Math.max(answered.get(c.name)!, 1),
        busy: share,
        cpuMs: cpuMsPerRequest(share, 1, f.rps),
      });
    }
    const where = latencyMs === 0 ? 'Confluence on loopback' : `Confluence ${latencyMs} ms away (every REST call delayed)`;
    report.section(`Writes that each change something, ${where} (${WRITE_DURATION_S} s a run, ${ROUNDS} alternating rounds, medians)`);
    const row = (name: string, f: LoadFigures, note = '') =>
      report.line(
        `${name.padEnd(52)} ${f.rps.toFixed(0).padStart(6)} req/s  ${(f.rps / figures.direct.rps).toFixed(3).padStart(6)} × direct   p50 ${String(f.p50).padStart(4)} ms  p99 ${String(f.p99).padStart(4)} ms${f.failures ? `  ${f.failures} failed (${f.failureKinds})` : ''}${note}`,
      );
    row(`emulator: direct user-property PUT (${CONNECTIONS} connections)`, figures.direct);
    for (const c of cases) {
      const f = figures.cases.get(c.name)!;
      const reached =
        f.reachedConfluence === undefined ? 'not counted (log full)' : `${(f.reachedConfluence * 100).toFixed(0)} % wrote to Confluence`;
      row(`keepsake: ${c.name}`, f, `  ${reached}, machine ${(f.busy * 100).toFixed(0)} % busy, ${f.cpuMs.toFixed(1)} ms CPU a write`);
    }
    return figures;
  } finally {
    // The rest of the run, and the next run's set-up, meet Confluence on loopback.
    await control.setLatency(0);
  }
}
