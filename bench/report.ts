// What a bench run prints: sections of figures, then every target with its result. A section
// whose feature is not there (yet) prints "not available" with the reason instead of its
// figures, and its targets count as not checked rather than failed.
export type Verdict = 'PASS' | 'FAIL' | 'n/a';

interface TargetLine {
  verdict: Verdict;
  name: string;
  value: string;
  target: string;
}

export class Report {
  private readonly targets: TargetLine[] = [];

  section(title: string): void {
    console.log(`\n${title}`);
  }

  line(text: string): void {
    console.log(`  ${text}`);
  }

  unavailable(what: string, error: unknown): void {
    console.log(`  ${what}: not available (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
  }

  /** A target: `value` undefined when it could not be measured in this run (with `why`). */
  check(name: string, value: number | undefined, ok: (v: number) => boolean, target: string, why = 'not measured'): void {
    if (value === undefined || Number.isNaN(value)) {
      this.targets.push({ verdict: 'n/a', name, value: why, target });
      return;
    }
    this.targets.push({
      verdict: ok(value) ? 'PASS' : 'FAIL',
      name,
      value: Number.isInteger(value) ? String(value) : value.toFixed(2),
      target,
    });
  }

  /** Prints the targets; true when none failed. */
  summary(): boolean {
    console.log('\nTargets');
    for (const t of this.targets) console.log(`${t.verdict.padEnd(4)}  ${t.name.padEnd(58)} ${t.value.padStart(8)}   target ${t.target}`);
    return this.targets.every((t) => t.verdict !== 'FAIL');
  }
}

/** Runs one section; a failure inside it is printed as "not available", never ends the run. */
export async function section<T>(report: Report, what: string, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    report.unavailable(what, error);
    return undefined;
  }
}
