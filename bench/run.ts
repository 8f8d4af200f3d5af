// `npm run bench`: Keepsake's read and write throughput and latency, measured with autocannon
// side by side with the emulator's own user-property GET in the same run, and the number of
// Confluence calls per 1,000 page-view reads. The emulator and Keepsake run as child
// processes (as in production, each its own process; Keepsake through the tests' own
// launcher); the load comes from this one.
// Exits 1 when a target in docs/performance.md is missed.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import autocannon, { type Result } from 'autocannon';
import { SymmetricAlgorithm, createQueryStringHash, encodeSymmetric, fromMethodAndUrl } from 'atlassian-jwt';
import { freePort, startKeepsakeProcess } from '../test/support/keepsake-process';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const ALICE = '712020:00000000-0000-4000-8000-00000000a11c';
const TARGETS = { throughputRatio: 0.8, p99Ratio: 2, callsPer1000Reads: 5 };

async function main(): Promise<void> {
  const emulatorPort = await freePort();
  const emulator = `http://localhost:${emulatorPort}`;
  startEmulatorProcess(emulatorPort);
  await waitFor(`${emulator}/_emulator/`);
  const keepsakeProcess = await startKeepsakeProcess({
    LOG_LEVEL: 'silent',
    SQLITE_PATH: join(mkdtempSync(join(tmpdir(), 'keepsake-bench-')), 'keepsake.sqlite'),
    DATABASE_URL: process.env.BENCH_DATABASE_URL ?? '',
    CONNECT_KEYS_CDN_URL: `${emulator}/connect-keys`,
    KEEPSAKE_OAUTH_SERVER_URL: emulator,
  });
  stops.push(() => keepsakeProcess.stop());
  const keepsake = keepsakeProcess.url;

  const installed = await json('POST', `${emulator}/_emulator/apps`, { descriptorUrl: `${keepsake}/atlassian-connect.json` });
  const app = (await json('GET', `${emulator}/_emulator/apps/keepsake`)) as { sharedSecret: string };
  const { token: contextToken } = (await json('POST', `${emulator}/_emulator/context-token`, { appKey: 'keepsake', accountId: ALICE })) as { token: string };
  const auth = { Authorization: `JWT ${contextToken}`, 'Content-Type': 'application/json' };
  // Alice has stored preferences: a view mode and a few bookmarks.
  await json('PATCH', `${keepsake}/api/preferences`, { viewMode: 'compact' }, auth);
  for (const id of ['65601', '65602', '65603']) await json('POST', `${keepsake}/api/bookmarks`, { contentId: id }, auth);
  await json('GET', `${keepsake}/api/preferences`, undefined, auth);
  void installed;

  const propertyPath = `/rest/api/user/${encodeURIComponent(ALICE)}/property/keepsake-main`;
  const now = Math.floor(Date.now() / 1000);
  const appJwt = encodeSymmetric(
    { iss: 'keepsake', iat: now, exp: now + 3600, qsh: createQueryStringHash(fromMethodAndUrl('GET', propertyPath)) },
    app.sharedSecret,
    SymmetricAlgorithm.HS256,
  );

  const direct: Result[] = [];
  const reads: Result[] = [];
  let confluenceCalls = 0;
  let keepsakeReads = 0;
  for (let round = 0; round < ROUNDS; round++) {
    direct.push(await load(`${emulator}/wiki${propertyPath}`, { headers: { Authorization: `JWT ${appJwt}` } }));
    await json('DELETE', `${emulator}/_emulator/requests`);
    const read = await load(`${keepsake}/api/preferences`, { headers: auth });
    reads.push(read);
    keepsakeReads += read.requests.total;
    confluenceCalls += ((await json('GET', `${emulator}/_emulator/requests`)) as unknown[]).length;
  }
  const writes = await load(`${keepsake}/api/bookmarks`, {
    requests: [
      { method: 'POST', path: '/api/bookmarks', body: JSON.stringify({ contentId: '65604' }), headers: auth },
      { method: 'DELETE', path: '/api/bookmarks/65604', headers: auth },
    ],
  });

  const directRps = median(direct.map((r) => r.requests.average));
  const readRps = median(reads.map((r) => r.requests.average));
  const directP99 = median(direct.map((r) => r.latency.p99));
  const readP99 = median(reads.map((r) => r.latency.p99));
  const callsPer1000 = (confluenceCalls / keepsakeReads) * 1000;
  const results = {
    throughputRatio: readRps / directRps,
    p99Ratio: readP99 / Math.max(directP99, 1),
    callsPer1000Reads: callsPer1000,
  };
  const errors = [...direct, ...reads, writes].reduce((n, r) => n + r.errors + r.non2xx, 0);

  console.log(`\nKeepsake benchmark — ${new Date().toISOString()}`);
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, store ${process.env.BENCH_DATABASE_URL ? 'postgres' : 'sqlite'}`);
  console.log(`method: autocannon, ${CONNECTIONS} connections, ${DURATION_S} s per run, ${ROUNDS} alternating rounds (medians)\n`);
  const row = (name: string, rps: number, r: Result[] | Result) => {
    const list = Array.isArray(r) ? r : [r];
    const p50 = median(list.map((x) => x.latency.p50));
    const p99 = median(list.map((x) => x.latency.p99));
    console.log(`${name.padEnd(48)} ${rps.toFixed(0).padStart(7)} req/s   p50 ${String(p50).padStart(4)} ms   p99 ${String(p99).padStart(4)} ms`);
  };
  row('emulator: direct user-property GET (as app)', directRps, direct);
  row('keepsake: GET /api/preferences (warm cache)', readRps, reads);
  row('keepsake: POST + DELETE /api/bookmarks', writes.requests.average, writes);
  console.log('');
  const check = (name: string, value: number, ok: boolean, target: string) => {
    console.log(`${ok ? 'PASS' : 'FAIL'}  ${name.padEnd(40)} ${value.toFixed(2).padStart(8)}   target ${target}`);
    return ok;
  };
  const passed = [
    check('read throughput / direct throughput', results.throughputRatio, results.throughputRatio >= TARGETS.throughputRatio, `>= ${TARGETS.throughputRatio}`),
    check('read p99 / direct p99', results.p99Ratio, results.p99Ratio <= TARGETS.p99Ratio, `<= ${TARGETS.p99Ratio}`),
    check('Confluence calls per 1,000 reads', results.callsPer1000Reads, results.callsPer1000Reads <= TARGETS.callsPer1000Reads, `<= ${TARGETS.callsPer1000Reads}`),
    check('failed or non-2xx responses', errors, errors === 0, '= 0'),
  ].every(Boolean);
  process.exitCode = passed ? 0 : 1;
}

function load(url: string, options: Partial<autocannon.Options>): Promise<Result> {
  return autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, ...options });
}

/** The emulator in its own process, as `npm run emulator` runs it. */
function startEmulatorProcess(port: number): void {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'emulator/main.ts', '--port', String(port), '--log-level', 'silent'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  stops.push(async () => {
    child.kill('SIGTERM');
  });
}

const stops: (() => Promise<void>)[] = [];
function stopAll(): Promise<unknown> {
  return Promise.all(stops.map((stop) => stop()));
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

async function json(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<unknown> {
  const response = await fetch(url, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url} → ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  })
  .finally(stopAll);
