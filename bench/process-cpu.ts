// The CPU time one process has used, from the kernel's per-process counters (Linux
// /proc/<pid>/stat: user + system time, in clock ticks of 1/100 s, the USER_HZ of Linux on
// x86 and ARM). CPU per request of the process that answers is what a throughput ratio
// measures on a quiet machine, without the noise of whatever else the machine is doing.
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/** User + system CPU time of process `pid` so far, in ms. */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name, which is in parentheses and may hold spaces: state is
  // field 3, utime field 14 and stime field 15 of the whole line.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** Starts counting; the function it answers gives the ms of CPU `pid` used since then. */
export function watchProcessCpu(pid: number): () => number {
  const start = processCpuMs(pid);
  return () => processCpuMs(pid) - start;
}
