// Atlassian's personal-data reporting answer says when to report next (docs/privacy.md): the
// Cycle-Period header in each form seen, and nothing taken from one that cannot be read.
import assert from 'node:assert/strict';
import { cyclePeriod } from '../../lib/personal-data/account-reporting';

const DAY_MS = 24 * 3600 * 1000;

describe('Cycle-Period', () => {
  it('reads "N Days", seconds and ISO 8601 days', () => {
    assert.equal(cyclePeriod('7 Days'), 7 * DAY_MS);
    assert.equal(cyclePeriod('1 day'), DAY_MS);
    assert.equal(cyclePeriod('1.5 days'), 1.5 * DAY_MS);
    assert.equal(cyclePeriod('604800'), 7 * DAY_MS);
    assert.equal(cyclePeriod('P14D'), 14 * DAY_MS);
    assert.equal(cyclePeriod([' 3 Days ', '9 Days']), 3 * DAY_MS);
  });

  it('answers undefined when absent or unreadable (the caller keeps its default)', () => {
    for (const header of [undefined, '', 'soon', 'P1W', '-1', '7 weeks']) assert.equal(cyclePeriod(header), undefined, String(header));
  });
});
