// Boxes of elements as a person sees them on the host page. Playwright gives an element's box
// in the top page's coordinates even inside an iframe, so a flag of the host page and a button
// of an app's iframe can be compared directly.
import type { Frame, Locator, Page } from 'playwright-core';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

export async function boxOf(locator: Locator): Promise<Box> {
  const box = await locator.boundingBox();
  if (!box) throw new Error(`${String(locator)} is not on screen`);
  return box;
}

/** Every visible control of the frame (buttons, fields, links) that lies under `cover`, named for the message. */
export async function controlsUnder(frame: Frame, cover: Box): Promise<string[]> {
  const controls = frame.locator('button, input, select, textarea, a[href]');
  const under: string[] = [];
  for (const control of await controls.all()) {
    const box = await control.boundingBox();
    if (box && box.width > 0 && (await control.isVisible()) && overlaps(box, cover)) {
      under.push(
        (await control.getAttribute('aria-label')) ??
          ((await control.innerText().catch(() => '')) || (await control.evaluate((e) => e.outerHTML.slice(0, 80)))),
      );
    }
  }
  return under;
}

/** The host page's flags on screen (emulator/host/browser/flag-provider.ts). */
export function hostFlags(page: Page): Locator {
  return page.locator('#emulator-flags .emulator-flag');
}

/**
 * Browser globals used inside page.evaluate() callbacks, typed for the Node program (which has
 * no DOM library; see page-globals.ts): `globalThis as unknown as LayoutGlobals`.
 */
export interface LayoutGlobals {
  getComputedStyle(element: unknown): { lineHeight: string; rowGap: string };
  document: { querySelector(selector: string): { getBoundingClientRect(): { height: number } } | null };
}
