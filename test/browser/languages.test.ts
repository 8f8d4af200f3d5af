// The user's language and time zone (issue 12): the panel, My Keepsake and the admin page in
// English and in German, chosen by the person's locale in the emulated Confluence (the iframe
// URL's loc and tz), with no English sentence of Keepsake's left on a German page, and a
// bookmark's date in the person's time zone (the same moment is a different day in Auckland and
// Berlin). The emulator's top-bar control changes both, and AP.user answers them in the iframe.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { SEEDED_USERS } from '../../emulator';
import { de } from '../../lib/i18n/de';
import { en } from '../../lib/i18n/en';
import { keepsakeFrame, openConfluencePage, screenshotsDir, startBrowserStack, type BrowserStack } from './support/browser-stack';

const admin = SEEDED_USERS.admin.accountId;
const alice = SEEDED_USERS.alice.accountId;
/** 1 March 2024, 12:30 UTC: 13:30 on 1 March in Berlin, 01:30 on 2 March in Auckland. */
const ADDED_AT = Date.UTC(2024, 2, 1, 12, 30);

/**
 * The English catalogue's words that German says differently: each stretch of a sentence
 * between its `{placeholders}` with four letters or more. None may be seen on a German page.
 */
const ENGLISH_ONLY = Object.entries(en)
  .filter(([key, sentence]) => de[key as keyof typeof de] !== sentence)
  .flatMap(([, sentence]) => sentence.split(/\{\w+\}/))
  .map((stretch) => stretch.trim())
  .filter((stretch) => (stretch.match(/[A-Za-z]/g) ?? []).length >= 4);

async function assertNoEnglish(frame: Frame, where: string): Promise<void> {
  const text = await frame.locator('body').innerText();
  const left = ENGLISH_ONLY.filter((stretch) => text.includes(stretch));
  assert.deepEqual(left, [], `English left on the German ${where}`);
}

describe('Keepsake in the user’s language and time zone', function () {
  this.timeout(180_000);
  let env: BrowserStack;

  const choose = async (accountId: string, locale: string, timeZone: string) => {
    const answer = await env.stack.control('PATCH', `/users/${encodeURIComponent(accountId)}`, { locale, timeZone });
    assert.equal(answer.status, 200);
  };

  before(async () => {
    env = await startBrowserStack();
    // A bookmark with a known time added, through the legacy-cookie migration that carries one.
    const bookmarks = JSON.stringify([{ id: '65602', title: 'Release checklist', at: ADDED_AT }]);
    const moved = await env.stack.api(alice, 'POST', '/api/migrations/cookies', { cookies: { keepsake_bookmarks: bookmarks } });
    assert.equal(moved.status, 200);
  });
  after(async () => env?.close());
  afterEach(() => assert.deepEqual(env.offMachineRequests, [], 'nothing leaves the machine'));

  it('the panel in English and in German', async () => {
    await choose(alice, 'en-GB', 'Europe/Berlin');
    const english = await keepsakeFrame(await openConfluencePage(await env.browserFor(alice), env.emulator, '65602'), '/panel');
    await english.getByRole('button', { name: 'Bookmarked' }).waitFor();
    await english.getByRole('button', { name: 'Watch', exact: true }).waitFor();
    assert.equal(await english.locator('#ks-counts').innerText(), '1 bookmark · 0 watches');
    assert.equal(await english.locator('html').getAttribute('lang'), 'en-GB');

    await choose(alice, 'de-DE', 'Europe/Berlin');
    const page = await openConfluencePage(await env.browserFor(alice), env.emulator, '65602');
    const german = await keepsakeFrame(page, '/panel');
    await german.getByRole('button', { name: 'Gemerkt' }).waitFor();
    assert.equal(await german.locator('html').getAttribute('lang'), 'de-DE');
    assert.equal(await german.locator('#ks-counts').innerText(), '1 Lesezeichen · 0 beobachtete Seiten');
    assert.equal(await german.getByRole('group', { name: 'Ansicht' }).isVisible(), true);
    assert.equal(await german.getByRole('heading', { name: 'Ihre öffentliche Karte' }).isVisible(), true);
    await assertNoEnglish(german, 'panel');

    // What the script writes is German too: a change's counts, and Hide.
    await german.getByRole('button', { name: 'Beobachten' }).click();
    await german.locator('#ks-counts', { hasText: '1 Lesezeichen · 1 beobachtete Seite' }).waitFor();
    await german.locator('#keepsake-panel:not([aria-busy])').waitFor();
    await page.screenshot({ path: join(screenshotsDir(), 'panel-de.png') });
    await german.getByRole('button', { name: 'Ausblenden' }).click();
    await german.getByRole('button', { name: 'Einblenden' }).waitFor();
    await german.locator('#keepsake-panel:not([aria-busy])').waitFor();
    await german.getByRole('button', { name: 'Einblenden' }).click();
    await german.getByRole('button', { name: 'Ausblenden' }).waitFor();
    await german.locator('#keepsake-panel:not([aria-busy])').waitFor();
    await german.getByRole('button', { name: 'Beobachtet' }).click();
    await german.locator('#ks-counts', { hasText: '1 Lesezeichen · 0 beobachtete Seiten' }).waitFor();
  });

  it('My Keepsake in German, with the date added in the person’s time zone', async () => {
    const myKeepsake = async () => {
      const page = await (await env.browserFor(alice)).newPage();
      await page.setViewportSize({ width: 1200, height: 1000 });
      await page.goto(`${env.emulator.baseUrl}/wiki/plugins/servlet/ac/keepsake/my-keepsake`);
      return { page, frame: await keepsakeFrame(page, '/my-keepsake') };
    };
    const added = (frame: Frame) => frame.locator('#ks-bookmarks time').innerText();

    await choose(alice, 'en-GB', 'Europe/Berlin');
    const english = await myKeepsake();
    await english.frame.getByRole('heading', { name: 'Bookmarks (1)' }).waitFor();
    assert.equal(await added(english.frame), 'added 1 Mar 2024');

    await choose(alice, 'de-DE', 'Europe/Berlin');
    const berlin = await myKeepsake();
    await berlin.frame.getByRole('heading', { name: 'Lesezeichen (1)' }).waitFor();
    assert.equal(await added(berlin.frame), 'hinzugefügt am 01.03.2024');
    assert.equal(await berlin.frame.getByRole('button', { name: 'Lesezeichen Release checklist entfernen' }).isVisible(), true);
    await assertNoEnglish(berlin.frame, 'My Keepsake');

    await choose(alice, 'de-DE', 'Pacific/Auckland');
    const auckland = await myKeepsake();
    await auckland.frame.getByRole('heading', { name: 'Lesezeichen (1)' }).waitFor();
    assert.equal(await added(auckland.frame), 'hinzugefügt am 02.03.2024', 'the same moment is 2 March in Auckland');
    await auckland.frame.getByRole('button', { name: 'Meine Daten löschen…' }).click();
    await auckland.frame.getByRole('button', { name: 'Alles löschen' }).waitFor();
    await assertNoEnglish(auckland.frame, 'My Keepsake (delete confirmation)');
    await auckland.page.screenshot({ path: join(screenshotsDir(), 'my-keepsake-de.png'), fullPage: true });
    await auckland.frame.getByRole('button', { name: 'Abbrechen' }).click();
  });

  it('the admin page in German, its reporting dates in the admin’s time zone', async () => {
    await choose(admin, 'de-DE', 'Pacific/Auckland');
    const page = await (await env.browserFor(admin)).newPage();
    await page.setViewportSize({ width: 1280, height: 1000 });
    await page.goto(`${env.emulator.baseUrl}/wiki/plugins/servlet/ac/keepsake/keepsake-admin`);
    const settings = await keepsakeFrame(page, '/admin');
    await settings.getByRole('heading', { name: 'Keepsake-Einstellungen' }).waitFor();
    assert.equal(await settings.getByRole('button', { name: 'Einstellungen speichern' }).isVisible(), true);
    assert.equal(await settings.locator('#ks-pd-last').innerText(), 'Nie');
    await assertNoEnglish(settings, 'admin page');

    // "Run now": the flag and the figures the script writes are German, the dates in Auckland's zone.
    await settings.getByRole('button', { name: 'Jetzt ausführen' }).click();
    await page.locator('#emulator-flags', { hasText: 'Personenbezogene Daten gemeldet' }).waitFor();
    await settings.locator('#ks-pd-last', { hasText: /GMT\+1[23]$/ }).waitFor();
    assert.match(await settings.locator('#ks-pd-last').innerText(), /^\d{1,2}\. [A-ZÄÖÜ][a-zäöü]+ \d{4}, \d{2}:\d{2} GMT\+1[23]$/);
    assert.match(await settings.locator('#ks-pd-next').innerText(), /^\d{1,2}\. [A-ZÄÖÜ][a-zäöü]+ \d{4}, \d{2}:\d{2} GMT\+1[23]$/);
    await assertNoEnglish(settings, 'admin page after Run now');
    await page.screenshot({ path: join(screenshotsDir(), 'admin-de.png'), fullPage: true });

    await choose(admin, 'en-GB', 'UTC');
    await page.reload();
    const english = await keepsakeFrame(page, '/admin');
    await english.getByRole('heading', { name: 'Keepsake settings' }).waitFor();
    assert.match(await english.locator('#ks-pd-last').innerText(), /^\d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2} UTC$/);
  });

  it('the person chooses in Confluence’s top bar; AP.user and the iframe URL carry the choice', async () => {
    await choose(alice, 'en-US', 'America/New_York');
    const page = await openConfluencePage(await env.browserFor(alice), env.emulator, '65602');
    await page.getByLabel('Language').selectOption('de-DE');
    await page.getByLabel('Time zone').selectOption('Pacific/Auckland');
    await page.getByRole('button', { name: 'Apply language and time zone' }).click();
    await page.waitForURL(/\/pages\/65602/);
    const panel = await keepsakeFrame(page, '/panel');
    await panel.getByRole('button', { name: 'Gemerkt' }).waitFor();
    const url = new URL(panel.url());
    assert.equal(url.searchParams.get('loc'), 'de_DE');
    assert.equal(url.searchParams.get('tz'), 'Pacific/Auckland');
    const fromHost = await panel.evaluate(
      () =>
        new Promise<[string, string]>((resolve) => {
          type UserModule = { getLocale(cb: (locale: string) => void): void; getTimeZone(cb: (zone: string) => void): void };
          const user = (globalThis as unknown as { AP: { user: UserModule } }).AP.user;
          user.getLocale((locale) => user.getTimeZone((zone) => resolve([locale, zone])));
        }),
    );
    assert.deepEqual(fromHost, ['de_DE', 'Pacific/Auckland']);
    const account = (await env.stack.control<{ accountId: string; locale: string; timeZone: string }[]>('GET', '/users')).body.find(
      (u) => u.accountId === alice,
    );
    assert.deepEqual([account?.locale, account?.timeZone], ['de-DE', 'Pacific/Auckland']);
    assert.equal((await env.stack.control('PATCH', `/users/${encodeURIComponent(alice)}`, { timeZone: 'Mars/Olympus' })).status, 400);
  });
});
