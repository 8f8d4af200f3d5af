// A browser test stack: the emulator (its host pages run Atlassian's Connect JS), Keepsake
// loading all.js from the emulator, and Debian's Chromium driven by playwright-core. Each
// "browser" is a fresh context (its own cookies and localStorage, as a separate machine
// would have). Nothing may leave the machine: any request off localhost is aborted and recorded.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Frame, type Page, chromium } from 'playwright-core';
import { type EmulatorSettings, SEEDED_USERS, startEmulator } from '../../../emulator';
import type { Settings } from '../../../lib/settings';
import { type Emulator, type Stack, startStack } from '../../support/keepsake-stack';

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface BrowserStack {
  stack: Stack;
  emulator: Emulator;
  browser: Browser;
  /** Requests the pages tried to make off this machine (always expected to be empty). */
  offMachineRequests: string[];
  /** A fresh browser profile with that user signed in to the emulated site. */
  browserFor(accountId: string): Promise<BrowserContext>;
  close(): Promise<void>;
}

export interface BrowserStackOptions {
  emulatorSettings?: Partial<EmulatorSettings>;
  settings?: Partial<Settings>;
  /** Keepsake installed through UPM (Connect, the default) or the Forge way (Connect on Forge). */
  install?: 'connect' | 'forge';
}

function isLocal(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'data:' || protocol === 'blob:' || hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
}

export async function startBrowserStack(options: BrowserStackOptions = {}): Promise<BrowserStack> {
  const emulator = await startEmulator({ port: 0, settings: options.emulatorSettings ?? {} });
  const stack = await startStack({
    emulator,
    install: options.install ?? 'connect',
    settings: { AC_HOST_SCRIPT_URL: `${emulator.baseUrl}/atlassian-connect/all.js`, ...options.settings },
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const offMachineRequests: string[] = [];
  const contexts: BrowserContext[] = [];
  return {
    stack,
    emulator,
    browser,
    offMachineRequests,
    async browserFor(accountId) {
      const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
      contexts.push(context);
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (isLocal(url)) return route.continue();
        offMachineRequests.push(url);
        return route.abort();
      });
      const page = await context.newPage();
      await page.goto(`${emulator.baseUrl}/_emulator/login?accountId=${encodeURIComponent(accountId)}&next=/wiki/`);
      await page.close();
      return context;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await stack.close();
      await emulator.close();
    },
  };
}

/** Opens a seeded page's view in the emulated Confluence. */
export async function openConfluencePage(context: BrowserContext, emulator: Emulator, pageId: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${emulator.baseUrl}/wiki/pages/viewpage.action?pageId=${pageId}`);
  return page;
}

/** Keepsake's configuration page as the site admin sees it, tall enough for every section, once `heading` shows. */
export async function openAdminSettings(env: BrowserStack, heading: string): Promise<{ page: Page; settings: Frame }> {
  const browser = await env.browserFor(SEEDED_USERS.admin.accountId);
  const page = await browser.newPage();
  await page.setViewportSize({ width: 1200, height: 1900 });
  await page.goto(`${env.emulator.baseUrl}/wiki/plugins/servlet/ac/keepsake/keepsake-admin`);
  const settings = await keepsakeFrame(page, '/admin');
  await settings.getByRole('heading', { name: heading }).waitFor();
  return { page, settings };
}

/** The frame of Keepsake's iframe on a host page, once it has loaded. */
export async function keepsakeFrame(page: Page, path: '/panel' | '/my-keepsake' | '/admin'): Promise<Frame> {
  const matches = (frame: Frame) => frame !== page.mainFrame() && new URL(frame.url(), 'http://x').pathname === path;
  // No await between the look and the wait: an event cannot slip in between.
  const frame = page.frames().find(matches) ?? (await page.waitForEvent('framenavigated', { predicate: matches }));
  await frame.waitForLoadState('load');
  return frame;
}

export function screenshotsDir(): string {
  const dir = process.env.KEEPSAKE_SCREENSHOTS ?? join(process.cwd(), 'test-results', 'screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}
