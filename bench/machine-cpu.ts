// How busy the whole machine's CPUs were during a load run (every process: Keepsake, the
// emulator, Postgres, the load generator), from the kernel's per-CPU counters. A throughput
// ratio means little without it: a run that already keeps the machine busy cannot be
// multiplied by spreading the same work over more users.
import { cpus } from 'node:os';

function counters(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const all = times.user + times.nice + times.sys + times.idle + times.irq;
    total += all;
    busy += all - times.idle;
  }
  return { busy, total };
}

/** Starts watching; the function it answers gives the busy share (0–1) since then. */
export function watchMachineCpu(): () => number {
  const start = counters();
  return () => {
    const end = counters();
    return end.total > start.total ? (end.busy - start.busy) / (end.total - start.total) : 0;
  };
}

/** The machine's CPU time per request, in ms: busy share × CPUs × duration ÷ requests. */
export function cpuMsPerRequest(busy: number, durationS: number, requests: number): number {
  return requests > 0 ? (busy * cpus().length * durationS * 1000) / requests : NaN;
}
