// The iframes' page models (issue 13): what each page shows, decided without HTTP or a
// database — the owner's public card without private fields, the panel's state embedded safely,
// My Keepsake's dates in the reader's zone, the admin page in the admin's words.
import assert from 'node:assert/strict';
import { KeepsakeError } from '../../lib/errors';
import { translator, userLocale } from '../../lib/i18n';
import { adminPage } from '../../lib/pages/admin-page';
import { failurePage } from '../../lib/pages/failure-page';
import { authorCard, panelPage } from '../../lib/pages/panel-page';
import { personalPage } from '../../lib/pages/personal-page';
import type { PreferencesView } from '../../lib/preferences/preference-view';
import { completeSettings } from '../../lib/sites/site-settings';

const defaults = completeSettings({});
const settings = { ...defaults, profileFields: { ...defaults.profileFields, location: { enabled: true, public: false } } };
const english = userLocale('en_GB', 'UTC');
const german = userLocale('de_DE', 'Europe/Berlin');
const view: PreferencesView = {
  accountId: 'alice',
  viewMode: 'compact',
  tracking: { analytics: true, productEmails: false },
  bookmarks: [{ contentId: '65602', title: '</script><script>alert(1)</script>', addedAt: '2024-03-01T23:30:00.000Z' }],
  watches: [],
  profile: { pronouns: 'she/her', location: 'Berlin' },
  panelCollapsed: false,
  backend: 'user-properties',
  tampered: false,
};

describe('page models', () => {
  it('the author card shows the owner only what everyone sees: no private field', () => {
    const card = authorCard(
      { accountId: 'alice', displayName: 'Alice' },
      { accountId: 'alice', profile: view.profile, tampered: false },
      settings,
      'alice',
      translator('en'),
    );
    assert.deepEqual(
      card.fields.map((f) => f.value),
      ['she/her'],
    );
    assert.equal(card.own, true);
  });

  it('the panel embeds its state so that no title can close the script element', () => {
    const model = panelPage({
      view,
      pageId: '65602',
      author: undefined,
      reader: english,
      hostBaseUrl: 'https://example.atlassian.net/wiki',
    });
    assert.equal(model.bookmarked, true);
    assert.ok(!model.stateJson.includes('<'), model.stateJson);
    assert.match(model.counts, /1 bookmark/);
    assert.equal(model.myKeepsake.href, 'https://example.atlassian.net/wiki/plugins/servlet/ac/keepsake/my-keepsake');
    assert.equal(panelPage({ view, pageId: '65602', author: 'unavailable', reader: german, hostBaseUrl: '' }).authorUnavailable, true);
  });

  it('My Keepsake dates each entry in the reader’s time zone and language', () => {
    const berlin = personalPage(view, settings, german, 'https://example.atlassian.net/wiki');
    const auckland = personalPage(view, settings, userLocale('en_NZ', 'Pacific/Auckland'), '');
    assert.equal(berlin.bookmarks.items[0].added, '02.03.2024');
    assert.match(auckland.bookmarks.items[0].added, /2 Mar 2024/);
    assert.equal(berlin.lang, 'de-DE');
  });

  it('the admin page names storage in the admin’s words and charts rejected cookies', () => {
    const stats = {
      usersWithPreferences: 3,
      storage: { mode: 'auto', detectedBackend: 'user-properties', activeBackend: 'user-properties', move: null },
      migrations: { users: 2, cookiesMigrated: 4, cookiesRejected: 3, rejectedByCode: { INVALID_ENTRY: 2, TRUNCATED: 1 } },
      confluence: { calls: 10, errors: 0 },
      integrity: { restoredRecords: 0 },
    } as unknown as Parameters<typeof adminPage>[1];
    const status = { state: 'done', reported: 1, closed: 0, updated: 0, erased: 0, nextCycleAt: null, lastCycleAt: null } as Parameters<
      typeof adminPage
    >[2];
    const model = adminPage(settings, stats, status, english);
    assert.ok(!/user-properties/.test(model.backend.active ?? ''), model.backend.active);
    assert.deepEqual(
      model.reasons.map((r) => r.percent),
      [100, 50],
    );
    assert.ok(
      model.modes.every((m) => !/^[a-z-]+$/.test(m.label)),
      'no raw identifier as a label',
    );
  });

  it('one sentence per kind of failure, in the reader’s language', () => {
    const confluence = failurePage(new KeepsakeError('CONFLUENCE_UNAVAILABLE', 'x'), english).message;
    const login = failurePage(new KeepsakeError('UNAUTHENTICATED', 'x'), english).message;
    assert.notEqual(confluence, login);
    assert.notEqual(failurePage(undefined, german).message, failurePage(undefined, english).message);
  });
});
