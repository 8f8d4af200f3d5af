// What the page panel embeds in its HTML (issue 11): this page's place in the sets and their
// sizes, never the sets themselves, so the page stays small however much a user keeps.
import assert from 'node:assert/strict';
import { panelState } from '../../lib/preferences/panel-state';
import type { PreferencesView } from '../../lib/preferences/preference-view';

function view(bookmarks: number): PreferencesView {
  return {
    accountId: 'alice',
    viewMode: 'compact',
    tracking: { analytics: true, productEmails: false },
    bookmarks: Array.from({ length: bookmarks }, (_, i) => ({
      contentId: String(i + 1),
      title: `Page ${i + 1}`,
      addedAt: '2026-01-01T00:00:00.000Z',
    })),
    watches: [{ contentId: '7', title: 'Seven', addedAt: '2026-01-01T00:00:00.000Z' }],
    profile: {},
    panelCollapsed: true,
    backend: 'user-properties',
    tampered: false,
  };
}

describe('panelState', () => {
  it('says where this page is and how many each set holds', () => {
    assert.deepEqual(panelState(view(3), '2'), {
      viewMode: 'compact',
      tracking: { analytics: true, productEmails: false },
      panelCollapsed: true,
      bookmarkCount: 3,
      watchCount: 1,
      page: { contentId: '2', bookmarked: true, watched: false },
    });
    assert.deepEqual(panelState(view(3), '7').page, { contentId: '7', bookmarked: false, watched: true });
    assert.deepEqual(panelState(view(3), '').page, { contentId: '', bookmarked: false, watched: false }, 'no page');
  });

  it('is the same size at 10 and at 1,000 bookmarks', () => {
    // Only the count grows: 10 → 1000 is two more digits.
    assert.equal(JSON.stringify(panelState(view(10), '5')).length + 2, JSON.stringify(panelState(view(1000), '5')).length);
  });
});
