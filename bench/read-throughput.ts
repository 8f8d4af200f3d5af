// Warm reads — `GET /api/preferences`, what every page view's panel asks — by one user, by
// 1,000 and 5,000 users in turn (each request the next user's), and by users holding 10, 100
// and 1,000 bookmarks; each beside the emulator's direct user-property GET, the rounds
// alternating so that the machine's drift falls on both. Beside each throughput, the CPU time per
// request of the process that answered (the emulator for its GET, Keepsake for its reads, which
// make no Confluence calls): the figure that the machine's other work does not move. The
// emulator's log counts the Confluence calls the reads made.
import type { Result } from 'autocannon';
import type { DirectCalls } from './direct-calls';
import type { EmulatorControl } from './emulator-control';
import { watchProcessCpu } from './process-cpu';
import { CONNECTIONS, DURATION_S, ROUNDS, figuresOf, readsAs, runLoad, type LoadFigures } from './load';
import type { BenchUser } from './population';
import type { Report } from './report';

export interface ReadCase {
  name: string;
  path: string;
  users: readonly BenchUser[];
}

/** Throughput and latency, and the answering process's CPU per request in µs. */
export type ReadLoadFigures = LoadFigures & { cpuUsPerRequest: number };

export interface ReadFigures {
  direct: ReadLoadFigures;
  cases: Map<string, ReadLoadFigures>;
  callsPer1000Reads: number;
}

export async function measureReads(
  report: Report,
  control: EmulatorControl,
  keepsakeUrl: string,
  direct: DirectCalls,
  cases: readonly ReadCase[],
  pids: { emulator: number; keepsake: number },
): Promise<ReadFigures> {
  await control.settle();
  const directResults: Result[] = [];
  const caseResults = new Map<string, Result[]>(cases.map((c) => [c.name, []]));
  // CPU ms and answers, per process and case, over every round.
  const cpu = new Map<string, { ms: number; requests: number }>();
  const measured = async (key: string, pid: number, load: () => Promise<Result>) => {
    const used = watchProcessCpu(pid);
    const result = await load();
    const sum = cpu.get(key) ?? { ms: 0, requests: 0 };
    cpu.set(key, { ms: sum.ms + used(), requests: sum.requests + result.requests.total });
    return result;
  };
  const withCpu = (key: string, f: LoadFigures): ReadLoadFigures => {
    const sum = cpu.get(key);
    return { ...f, cpuUsPerRequest: sum && sum.requests > 0 ? (sum.ms * 1000) / sum.requests : NaN };
  };
  let calls = 0;
  let reads = 0;
  for (let round = 0; round < ROUNDS; round++) {
    directResults.push(await measured('direct', pids.emulator, () => runLoad(direct.url, direct.get)));
    for (const c of cases) {
      await control.clearCalls();
      const result = await measured(c.name, pids.keepsake, () =>
        runLoad(
          keepsakeUrl,
          readsAs(
            c.path,
            c.users.map((u) => u.token),
          ),
        ),
      );
      calls += (await control.calls()).length;
      reads += result.requests.total;
      caseResults.get(c.name)!.push(result);
    }
  }
  const figures: ReadFigures = {
    direct: withCpu('direct', figuresOf(directResults)),
    cases: new Map([...caseResults].map(([name, results]) => [name, withCpu(name, figuresOf(results))])),
    callsPer1000Reads: (calls / Math.max(reads, 1)) * 1000,
  };
  report.section(`Warm reads (autocannon, ${CONNECTIONS} connections, ${DURATION_S} s a run, ${ROUNDS} alternating rounds, medians)`);
  const row = (name: string, f: ReadLoadFigures) =>
    report.line(
      `${name.padEnd(52)} ${f.rps.toFixed(0).padStart(6)} req/s  ${(f.rps / figures.direct.rps).toFixed(2).padStart(5)} × direct   p50 ${String(f.p50).padStart(3)} ms  p99 ${String(f.p99).padStart(3)} ms   CPU ${f.cpuUsPerRequest.toFixed(0).padStart(4)} µs a request (${(figures.direct.cpuUsPerRequest / f.cpuUsPerRequest).toFixed(2)} × direct)${f.failures ? `  ${f.failures} failed (${f.failureKinds})` : ''}`,
    );
  row('emulator: direct user-property GET (as the app)', figures.direct);
  for (const c of cases) row(`keepsake: ${c.name}`, figures.cases.get(c.name)!);
  report.line(`Confluence calls per 1,000 reads, over every Keepsake run above: ${figures.callsPer1000Reads.toFixed(2)}`);
  return figures;
}
