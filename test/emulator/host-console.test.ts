// Conformance: the host pages' own set-up logs nothing to the browser console — no
// "[ACJS] Feature flag service is not initialised", no "window.require is not a function", no
// 404 for a favicon — with a third-party app's page open in Chromium.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { type Browser, chromium } from 'playwright-core';
import { SEEDED_USERS } from '../../emulator';
import { CHROMIUM } from '../browser/support/browser-stack';
import { upmInstall } from '../support/ace-test-app';
import { type Site, startSite, uniqueKey } from './harness';

describe('emulator conformance: host pages log no console errors of their own (Chromium)', function () {
  let site: Site;
  let browser: Browser;
  let appServer: http.Server;
  let appKey: string;

  before(async function () {
    site = await startSite();
    appKey = uniqueKey('console');
    const app = express();
    appServer = http.createServer(app);
    await new Promise<void>((resolve) => appServer.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://localhost:${(appServer.address() as AddressInfo).port}`;
    app.get('/atlassian-connect.json', (_req, res) =>
      res.json({
        key: appKey,
        name: 'Console check',
        baseUrl,
        authentication: { type: 'none' },
        modules: { generalPages: [{ key: 'hello', name: { value: 'Hello' }, url: 'hello' }] },
      }),
    );
    app.get('/hello', (_req, res) =>
      res
        .type('html')
        .send(
          `<!DOCTYPE html><html lang="en"><head><title>Hello</title><link rel="icon" href="data:,"><script src="${site.emu.baseUrl}/atlassian-connect/all.js"></script></head><body><p>Hello</p></body></html>`,
        ),
    );
    const installed = await upmInstall(site.emu.registrationUrl, `${baseUrl}/atlassian-connect.json`);
    assert.ok(installed.installed, JSON.stringify(installed));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  after(async function () {
    await browser?.close();
    await new Promise<void>((resolve) => (appServer ? appServer.close(() => resolve()) : resolve()));
    await site?.close();
  });

  for (const path of ['/wiki/', '/wiki/spaces/ENG/pages/65601', '/wiki/plugins/servlet/upm', 'APP_PAGE']) {
    it(`${path === 'APP_PAGE' ? "a third-party app's general page" : path}: no console errors or warnings, no failed requests`, async function () {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        const messages: string[] = [];
        const failed: string[] = [];
        page.on('console', (msg) => {
          const text = msg.text();
          if (msg.type() === 'error' || msg.type() === 'warning' || /window\.require|Feature flag service/.test(text))
            messages.push(`${msg.type()}: ${text}`);
        });
        page.on('pageerror', (err) => messages.push(`pageerror: ${err.message}`));
        page.on('response', (res) => {
          if (res.status() >= 400) failed.push(`${res.status()} ${res.url()}`);
        });
        await page.goto(`${site.emu.baseUrl}/_emulator/login?accountId=${encodeURIComponent(SEEDED_USERS.admin.accountId)}&next=/wiki/`);
        const target = path === 'APP_PAGE' ? `/wiki/plugins/servlet/ac/${appKey}/hello` : path;
        messages.length = 0;
        failed.length = 0;
        await page.goto(`${site.emu.baseUrl}${target}`, { waitUntil: 'load' });
        if (path === 'APP_PAGE') {
          const frame = page.frameLocator('iframe');
          await frame.locator('text=Hello').first().waitFor();
        }
        // Let anything the set-up schedules after load run, then look.
        await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 300)));
        assert.deepEqual(messages, [], `console output from the host page:\n${messages.join('\n')}`);
        assert.deepEqual(failed, [], `failed requests:\n${failed.join('\n')}`);
      } finally {
        await context.close();
      }
    });
  }
});
