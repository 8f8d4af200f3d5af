// Warm reads — `GET /api/preferences`, what every page view's panel asks — by one user, by
// 1,000 and 5,000 users in turn (each request the next user's), and by users holding 10, 100
// and 1,000 bookmarks; each beside the emulator's direct user-property GET, the rounds
// alternating so that the machine's drift falls on both. The emulator's log counts the
// Confluence calls the reads made.
import type { Result } from 'autocannon';
import type { DirectCalls } from './direct-calls';
import type { EmulatorControl } from './emulator-control';
import { CONNECTIONS, DURATION_S, ROUNDS, figuresOf, readsAs, runLoad, type LoadFigures } from './load';
import type { BenchUser } from './population';
import type { Report } from './report';

export interface ReadCase {
  name: string;
  path: string;
  users: readonly BenchUser[];
}

export interface ReadFigures {
  direct: LoadFigures;
  cases: Map<string, LoadFigures>;
  callsPer1000Reads: number;
}

export async function measureReads(
  report: Report,
  control: EmulatorControl,
  keepsakeUrl: string,
  direct: DirectCalls,
  cases: readonly ReadCase[],
): Promise<ReadFigures> {
  await control.settle();
  const directResults: Result[] = [];
  const caseResults = new Map<string, Result[]>(cases.map((c) => [c.name, []]));
  let calls = 0;
  let reads = 0;
  for (let round = 0; round < ROUNDS; round++) {
    directResults.push(await runLoad(direct.url, direct.get));
    for (const c of cases) {
      await control.clearCalls();
      const result = await runLoad(
        keepsakeUrl,
        readsAs(
          c.path,
          c.users.map((u) => u.token),
        ),
      );
      calls += (await control.calls()).length;
      reads += result.requests.total;
      caseResults.get(c.name)!.push(result);
    }
  }
  const figures: ReadFigures = {
    direct: figuresOf(directResults),
    cases: new Map([...caseResults].map(([name, results]) => [name, figuresOf(results)])),
    callsPer1000Reads: (calls / Math.max(reads, 1)) * 1000,
  };
  report.section(`Warm reads (autocannon, ${CONNECTIONS} connections, ${DURATION_S} s a run, ${ROUNDS} alternating rounds, medians)`);
  const row = (name: string, f: LoadFigures) =>
    report.line(
      `${name.padEnd(52)} ${f.rps.toFixed(0).padStart(6)} req/s  ${(f.rps / figures.direct.rps).toFixed(2).padStart(5)} × direct   p50 ${String(f.p50).padStart(3)} ms  p99 ${String(f.p99).padStart(3)} ms${f.failures ? `  ${f.failures} failed` : ''}`,
    );
  row('emulator: direct user-property GET (as the app)', figures.direct);
  for (const c of cases) row(`keepsake: ${c.name}`, figures.cases.get(c.name)!);
  report.line(`Confluence calls per 1,000 reads, over every Keepsake run above: ${figures.callsPer1000Reads.toFixed(2)}`);
  return figures;
}
