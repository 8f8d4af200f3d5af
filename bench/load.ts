// Load runs with autocannon, and the figures the report takes from them: the median over a
// section's rounds of throughput and latency, with every failed or non-2xx answer counted.
import autocannon, { type Options, type Result } from 'autocannon';

export const DURATION_S = Number(process.env.BENCH_DURATION ?? 3);
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
/** Write runs are longer: 50 writers queue for seconds, and a run shorter than the queue measures only its start. */
export const WRITE_DURATION_S = Number(process.env.BENCH_WRITE_DURATION ?? 10);

export interface LoadFigures {
  rps: number;
  p50: number;
  p99: number;
  /** Answers received, over every round. */
  requests: number;
  /** Errors, timeouts and non-2xx answers, over every round. */
  failures: number;
  /** What the failures were, e.g. `503 ×2, timeouts ×1` (empty when none). */
  failureKinds: string;
}

export function runLoad(url: string, options: Partial<Options> = {}): Promise<Result> {
  return autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, ...options });
}

export function figuresOf(results: Result[]): LoadFigures {
  return {
    rps: median(results.map((r) => r.requests.average)),
    p50: median(results.map((r) => r.latency.p50)),
    p99: median(results.map((r) => r.latency.p99)),
    requests: results.reduce((n, r) => n + r.requests.total, 0),
    // autocannon counts a timeout among its errors too.
    failures: results.reduce((n, r) => n + r.errors + r.non2xx, 0),
    failureKinds: failureKinds(results),
  };
}

function failureKinds(results: Result[]): string {
  const kinds = new Map<string, number>();
  const add = (kind: string, n: number) => n > 0 && kinds.set(kind, (kinds.get(kind) ?? 0) + n);
  for (const r of results) {
    for (const [code, { count }] of Object.entries(r.statusCodeStats ?? {})) if (!code.startsWith('2')) add(code, count ?? 0);
    add('timeouts', r.timeouts);
    add('errors', r.errors - r.timeouts);
  }
  return [...kinds].map(([kind, n]) => `${kind} ×${n}`).join(', ');
}

/** GETs of `path`, each signed in as the next of `tokens` in turn (one user's token, or a thousand users'). */
export function readsAs(path: string, tokens: readonly string[]): Partial<Options> {
  let next = 0;
  return {
    requests: [
      {
        method: 'GET',
        path,
        setupRequest: (request) => ({
          ...request,
          headers: { ...request.headers, authorization: `JWT ${tokens[next++ % tokens.length]}` },
        }),
      },
    ],
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
