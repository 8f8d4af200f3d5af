// `npm run bench`: the figures docs/performance.md reports and the targets it sets, measured
// through Keepsake's public HTTP API against the emulator, each beside the emulator's own
// direct figure in the same run (or as a count of Confluence calls from the emulator's log):
// warm reads at 1, 1,000 and 5,000 users and at 10, 100 and 1,000 bookmarks; what a page view
// downloads; Confluence calls per write at each set size; writes that each change something,
// one user against 50; a storage move of 5,000 typical users, which is also the app-property
// fallback's capacity; record encryption, the context-token check and legacy cookie parsing
// in-process. A section whose feature is missing prints "not available" and the run goes on.
// Exits 1 when a target is missed.
import { cpus, totalmem } from 'node:os';
import { contextTokenCheck, printContextTokenCheck } from './context-token';
import { cookieParsing, migrationLatency, printCookieParsing } from './cookie-parsing';
import { directCalls } from './direct-calls';
import { startBenchStack, benchDatabaseUrl } from './bench-stack';
import { inParallel } from './in-parallel';
import { CONNECTIONS } from './load';
import { measurePayloads } from './payload-size';
import { createPages, createUsers, fillBookmarks, KeepsakeClient, makeTypical, type BenchUser } from './population';
import { measureReads, type ReadCase } from './read-throughput';
import { printRecordEncryption, recordEncryption } from './record-encryption';
import { Report, section } from './report';
import { measureStorageMove } from './storage-move';
import { measureWriteCost, SET_LIMIT } from './write-cost';
import { CONFLUENCE_LATENCY_MS, measureWrites, type WriteFigures } from './write-throughput';

const TYPICAL_USERS = Number(process.env.BENCH_USERS ?? 5_000);
const SET_SIZES = [10, 100, SET_LIMIT];
const WRITERS = 50;
const KB5 = 5 * 1024;

async function main(): Promise<void> {
  const report = new Report();
  const runStarted = performance.now();
  console.log(`Keepsake benchmark — ${new Date().toISOString()}`);
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
  );

  // In-process CPU work first, before any process or load runs.
  const parsing = cookieParsing();
  printRecordEncryption(report, recordEncryption());
  printContextTokenCheck(report, await contextTokenCheck());

  const stack = await startBenchStack();
  console.log(
    `\nKeepsake: ${stack.kind}${benchDatabaseUrl() ? '' : ' (set BENCH_DATABASE_URL or DATABASE_URL to a Postgres database for the production build on Postgres, where the write-scaling target is checked)'}`,
  );
  let closedPoolLines: number | null = null;
  let errorLines: string[] = [];
  try {
    const { control } = stack;
    const keepsake = new KeepsakeClient(stack.keepsakeUrl);
    report.section('Set-up');
    let started = performance.now();
    const took = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
    const pages = await createPages(control, SET_LIMIT + 1);
    const typical = await createUsers(control, TYPICAL_USERS, 'Typical');
    const setUsers = await createUsers(control, SET_SIZES.length, 'Collector');
    const writers = await createUsers(control, 1 + WRITERS, 'Writer');
    report.line(
      `${pages.length.toLocaleString('en')} pages and ${(typical.length + setUsers.length + writers.length).toLocaleString('en')} users in the emulator, with their tokens: ${took()}`,
    );
    started = performance.now();
    const setUp = await section(report, 'set-up of the site', async () => {
      await inParallel(typical, 32, (user, i) => makeTypical(keepsake, user, i, pages));
      report.line(
        `${typical.length.toLocaleString('en')} typical users stored through Keepsake (a cookie migration and a profile each): ${took()}`,
      );
      started = performance.now();
      const bySetSize = new Map<number, BenchUser>();
      for (const [i, size] of SET_SIZES.entries()) {
        await fillBookmarks(keepsake, setUsers[i], pages.slice(0, size));
        bySetSize.set(size, setUsers[i]);
      }
      report.line(`users with ${SET_SIZES.map((s) => s.toLocaleString('en')).join(', ')} bookmarks: ${took()}`);
      return bySetSize;
    });
    // A user's first write costs more than the rest (the record is created): the writers make theirs now.
    await section(report, "writers' first writes", () =>
      inParallel(writers, 16, async (user) => void (await keepsake.call(user, 'PATCH', '/api/preferences', { viewMode: 'compact' }))),
    );
    const direct = await directCalls(control, writers[0].accountId);

    // Reads.
    const summary = '/api/preferences';
    const cases: ReadCase[] = [
      { name: 'GET /api/preferences, one user', path: summary, users: typical.slice(0, 1) },
      { name: 'GET /api/preferences, 1,000 users in turn', path: summary, users: typical.slice(0, 1_000) },
    ];
    if (typical.length !== 1_000)
      cases.push({ name: `GET /api/preferences, ${typical.length.toLocaleString('en')} users in turn`, path: summary, users: typical });
    if (setUp) {
      for (const [size, user] of setUp)
        cases.push({ name: `GET /api/preferences, ${size.toLocaleString('en')} bookmarks`, path: summary, users: [user] });
      const pageOfSet = await section(report, 'GET /api/bookmarks?limit=50', () =>
        keepsake.call(setUp.get(SET_LIMIT)!, 'GET', '/api/bookmarks?limit=50'),
      );
      if (pageOfSet)
        cases.push({
          name: `GET /api/bookmarks?limit=50, ${SET_LIMIT.toLocaleString('en')} bookmarks`,
          path: '/api/bookmarks?limit=50',
          users: [setUp.get(SET_LIMIT)!],
        });
    }
    // Warm means read within KEEPSAKE_CACHE_TTL_SECONDS (300): the set-up wrote most users longer ago than that.
    started = performance.now();
    await section(report, 'warming the readers', () =>
      inParallel(typical, 16, async (user) => void (await keepsake.call(user, 'GET', summary))),
    );
    report.line(`one read of each of the ${typical.length.toLocaleString('en')} typical users, to warm their cache entries: ${took()}`);
    const reads = await section(report, 'warm reads', () => measureReads(report, control, stack.keepsakeUrl, direct, cases, stack.pids));
    const oneUser = reads?.cases.get(cases[0].name);
    report.check('read throughput, one user / direct GET', oneUser && reads && oneUser.rps / reads.direct.rps, (v) => v >= 1.0, '>= 1.0');
    // The same comparison by CPU per request (direct's / Keepsake's, so above 1 means Keepsake spends less), which the machine's other load does not move.
    report.check(
      'read CPU per request, direct GET / one user',
      oneUser && reads && reads.direct.cpuUsPerRequest / oneUser.cpuUsPerRequest,
      (v) => v >= 1.0,
      '>= 1.0',
    );
    report.check(
      'read p99, one user / direct GET p99',
      oneUser && reads && oneUser.p99 / Math.max(reads.direct.p99, 1),
      (v) => v <= 2,
      '<= 2',
    );
    report.check('Confluence calls per 1,000 warm reads', reads?.callsPer1000Reads, (v) => v <= 5, '<= 5');
    const at = (size: number) => reads?.cases.get(`GET /api/preferences, ${size.toLocaleString('en')} bookmarks`)?.rps;
    const large = at(SET_LIMIT);
    const small = at(SET_SIZES[0]);
    report.check(
      'read throughput, 1,000 bookmarks / 10 bookmarks',
      large !== undefined && small !== undefined ? large / small : undefined,
      (v) => v >= 0.8,
      '>= 0.8',
    );
    report.check(
      'failed or non-2xx reads',
      reads && [...reads.cases.values(), reads.direct].reduce((n, f) => n + f.failures, 0),
      (v) => v === 0,
      '= 0',
    );

    // What a page view downloads.
    const payloads =
      setUp && (await section(report, 'page-view sizes', () => measurePayloads(report, control, stack.keepsakeUrl, setUp, pages[0].id)));
    for (const size of SET_SIZES) {
      const p = payloads?.get(size);
      report.check(`panel HTML bytes, ${size.toLocaleString('en')} bookmarks`, p?.panelBytes, (v) => v <= KB5, `<= ${KB5} (5 KB)`);
      report.check(
        `GET /api/preferences bytes, ${size.toLocaleString('en')} bookmarks`,
        p?.summaryBytes,
        (v) => v <= KB5,
        `<= ${KB5} (5 KB)`,
      );
    }

    // Confluence calls per write.
    const costs = setUp && (await section(report, 'calls per write', () => measureWriteCost(report, control, keepsake, setUp, pages)));
    for (const size of SET_SIZES) {
      const c = costs?.get(size);
      report.check(`Confluence calls per PATCH, ${size.toLocaleString('en')} bookmarks`, c?.patch.calls, (v) => v <= 2, '<= 2');
      report.check(`Confluence calls per add, ${size.toLocaleString('en')} bookmarks`, c?.add.calls, (v) => v <= 4, '<= 4');
      report.check(`Confluence calls per remove, ${size.toLocaleString('en')} bookmarks`, c?.remove.calls, (v) => v <= 4, '<= 4');
    }
    report.check('Confluence writes of an add to a full set (refused)', costs?.get(SET_LIMIT)?.refused?.writes, (v) => v === 0, '= 0');

    // Writes that each change something: Confluence on loopback, then a network away.
    const oneWriter = `one user, ${CONNECTIONS} connections`;
    const manyWriters = `${WRITERS} users, one connection each`;
    const writeCases = [
      { name: oneWriter, users: writers.slice(0, 1), connections: CONNECTIONS },
      { name: manyWriters, users: writers.slice(1), connections: WRITERS },
    ];
    const writeRuns: WriteFigures[] = [];
    for (const latencyMs of [0, CONFLUENCE_LATENCY_MS]) {
      const figures = await section(report, `write throughput (Confluence latency ${latencyMs} ms)`, () =>
        measureWrites(report, control, keepsake, direct, writeCases, pages, latencyMs),
      );
      if (figures) writeRuns.push(figures);
    }
    const scalingAt = (latencyMs: number) => {
      const run = writeRuns.find((w) => w.latencyMs === latencyMs);
      const one = run?.cases.get(oneWriter);
      const many = run?.cases.get(manyWriters);
      if (!run || !one || !many) return undefined;
      const scaling = many.rps / one.rps;
      report.line(
        `Confluence latency ${latencyMs} ms: ${WRITERS} users / one user ${scaling.toFixed(2)} × (${(many.rps / run.direct.rps).toFixed(3)} vs ${(one.rps / run.direct.rps).toFixed(3)} × the direct PUT)`,
      );
      // What the machine leaves for the ratio: the one-user run's busy share bounds any ratio at
      // its CPU per write, since the 50 users cannot have more than the whole machine.
      report.line(
        `  machine CPU busy: one user ${(one.busy * 100).toFixed(0)} %, ${WRITERS} users ${(many.busy * 100).toFixed(0)} %; CPU a write ${one.cpuMs.toFixed(1)} / ${many.cpuMs.toFixed(1)} ms; the most any ratio can be at the one-user run's CPU per write: ${(1 / one.busy).toFixed(2)} ×`,
      );
      return scaling;
    };
    report.section('Write scaling');
    const loopback = scalingAt(0);
    const distant = scalingAt(CONFLUENCE_LATENCY_MS);
    // On loopback every Confluence call is answered at once and the ratio is one of this
    // machine's CPU (docs/performance.md): printed above, not a target.
    if (loopback !== undefined)
      report.line(`(loopback: no target, the ratio is bounded by the machine; the target is taken ${CONFLUENCE_LATENCY_MS} ms away)`);
    report.check(
      `write throughput, ${WRITERS} users / one user, Confluence ${CONFLUENCE_LATENCY_MS} ms away (production build, Postgres)`,
      stack.postgres ? distant : undefined,
      (v) => v >= 3,
      '>= 3',
      'needs Postgres',
    );
    for (const run of writeRuns)
      for (const [name, f] of run.cases)
        report.check(
          `writes that wrote to Confluence, ${name}, latency ${run.latencyMs} ms`,
          f.reachedConfluence,
          (v) => v >= 0.95,
          '>= 0.95 (each changes something)',
        );
    report.check(
      'failed or non-2xx writes',
      writeRuns.length > 0 ? writeRuns.flatMap((run) => [...run.cases.values()]).reduce((n, f) => n + f.failures, 0) : undefined,
      (v) => v === 0,
      '= 0',
    );
    const writes = writeRuns.find((w) => w.latencyMs === 0);

    // Cookie migration through the API, as a user of its own.
    const migrant = (await createUsers(control, 1, 'Migrant'))[0];
    const migration = await section(report, 'cookie migration latency', () =>
      migrationLatency(`${stack.keepsakeUrl}/api/migrations/cookies`, { Authorization: `JWT ${migrant.token}` }),
    );
    const cookies = printCookieParsing(report, parsing, migration);
    report.check("cookie parse: the issue's payload / ordinary", cookies.issueRatio, (v) => v <= 2, '<= 2');
    report.check('cookie parse: worst adversarial / ordinary', cookies.worstRatio, (v) => v <= 20, `<= 20 (${cookies.worstName})`);

    // The storage move, last: it changes where every user's data lives.
    const move =
      setUp &&
      (await section(report, 'storage move', () =>
        measureStorageMove(report, control, keepsake, TYPICAL_USERS, writes?.direct.rps ?? NaN),
      ));
    report.check(
      'users held on app properties after the move',
      move?.onAppProperties,
      (v) => v >= move!.users && v >= 5_000,
      `all of them, >= 5,000`,
    );
    report.check('app properties holding them', move?.appProperties, (v) => v <= 100, '<= 100');
  } finally {
    ({ closedPoolLines, errorLines } = await stack.stop());
  }
  if (errorLines.length > 0) {
    report.section(`Keepsake logged ${errorLines.length} errors; the first:`);
    for (const line of errorLines.slice(0, 3)) report.line(line.slice(0, 400));
  }
  report.check(
    `'getConnection … closed' lines at shutdown after the load`,
    closedPoolLines ?? undefined,
    (v) => v === 0,
    '= 0',
    'log not kept (sqlite)',
  );
  const passed = report.summary();
  console.log(`\nrun time ${((performance.now() - runStarted) / 60_000).toFixed(1)} min`);
  process.exitCode = passed ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exitCode = 1;
});
