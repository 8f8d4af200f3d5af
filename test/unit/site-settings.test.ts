// A site's settings as stored (issue 6): completed with the defaults, since rows written by
// earlier versions lack newer fields; a row this version cannot read is the defaults.
import assert from 'node:assert/strict';
import { DEFAULT_SITE_SETTINGS, completeSettings } from '../../lib/sites/site-settings';

describe('completeSettings', () => {
  it('fills fields an older row lacks from the defaults and keeps the rest', () => {
    assert.deepEqual(completeSettings({ mode: 'app-properties' }), { ...DEFAULT_SITE_SETTINGS, mode: 'app-properties' });
    assert.deepEqual(
      completeSettings({ actAsUser: true, defaults: { viewMode: 'focus', tracking: { analytics: true, productEmails: false } } }),
      {
        ...DEFAULT_SITE_SETTINGS,
        actAsUser: true,
        defaults: { viewMode: 'focus', tracking: { analytics: true, productEmails: false } },
      },
    );
  });

  it('answers the defaults for nothing stored or for a row it cannot read', () => {
    for (const stored of [null, undefined, 'auto', 42, { mode: 'cloud' }, { actAsUser: true, surprise: 1 }]) {
      assert.deepEqual(completeSettings(stored), DEFAULT_SITE_SETTINGS, JSON.stringify(stored));
    }
  });
});
