// axe-core's colour-contrast rule run inside one of Keepsake's iframes, in whatever state the
// test has put it (hovered, focused, busy, disabled): the styles axe reads are the ones on
// screen at that moment. axe is evaluated into the frame by the test driver (DevTools), which
// the page's Content-Security-Policy does not govern; the page itself loads nothing new.
import { readFileSync } from 'node:fs';
import type { AxeResults, RunOptions } from 'axe-core';
import type { Frame } from 'playwright-core';

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** One element whose text does not reach the contrast WCAG AA asks for (4.5:1, 3:1 for large text). */
export interface ContrastFailure {
  /** axe's CSS selector of the element. */
  target: string;
  /** axe's own sentence: the contrast found, the colours and the ratio expected. */
  summary: string;
}

interface AxeGlobal {
  axe?: { run(context: unknown, options: RunOptions): Promise<AxeResults> };
  document: { querySelector(selector: string): unknown };
}

/** Contrast failures in the frame, or only within `selector` when given. */
export async function contrastFailures(frame: Frame, selector?: string): Promise<ContrastFailure[]> {
  const loaded = await frame.evaluate(() => (globalThis as unknown as AxeGlobal).axe !== undefined);
  if (!loaded) await frame.evaluate(AXE_SOURCE);
  return frame.evaluate(async (within) => {
    const page = globalThis as unknown as AxeGlobal;
    const context = within ? { include: [[within]] } : page.document;
    const results = await page.axe!.run(context, { runOnly: { type: 'rule', values: ['color-contrast'] }, resultTypes: ['violations'] });
    return results.violations.flatMap((violation) =>
      violation.nodes.map((node) => ({ target: node.target.join(' '), summary: node.failureSummary ?? violation.help })),
    );
  }, selector ?? '');
}

/** Fails with every element listed when the frame (or `selector` within it) has any contrast failure. */
export async function assertContrast(frame: Frame, state: string, selector?: string): Promise<void> {
  const failures = await contrastFailures(frame, selector);
  if (failures.length > 0) {
    throw new Error(`Contrast below WCAG AA (${state}):\n${failures.map((f) => `  ${f.target}: ${f.summary}`).join('\n')}`);
  }
}
