// Waiting for the page panel the way a person would see it ready: its script has run (it marks
// its migration step, so nothing else is in flight), and no change is waiting for the server.
import type { Frame, Page } from 'playwright-core';
import { keepsakeFrame } from './browser-stack';

/** The panel once its script has run and its migration step is over. */
export async function readyPanel(page: Page): Promise<Frame> {
  const frame = await keepsakeFrame(page, '/panel');
  await frame.locator('#keepsake-panel[data-migration]').waitFor();
  return frame;
}

/** Waits until no change of the panel is waiting for the server's answer. */
export async function settled(frame: Frame): Promise<void> {
  await frame.locator('#keepsake-panel:not([aria-busy])').waitFor({ state: 'attached' });
}
