// Each instance keeps a site's row for a moment (issue 10); how long comes from the injected
// clock (issue 13), so a change made elsewhere shows exactly when the memo lapses.
import assert from 'node:assert/strict';
import { SiteRegistry } from '../../lib/sites/site-registry';
import { ManualClock } from './support/manual-clock';
import { memoryDatabase } from './support/memory-database';

describe('SiteRegistry memo', () => {
  it('serves the kept row until memoMs has passed, then reads the table again', async () => {
    const { sequelize, models } = await memoryDatabase();
    const clock = new ManualClock();
    const registry = new SiteRegistry(models, 2000, clock);
    try {
      await registry.markInstalled('site-a');
      assert.equal((await registry.get('site-a'))?.installed, true);
      // Another instance uninstalls: the table changes, this instance's memo does not.
      await models.sites.update({ status: 'uninstalled' }, { where: { clientKey: 'site-a' } });
      clock.advance(1999);
      assert.equal((await registry.get('site-a'))?.installed, true);
      clock.advance(1);
      assert.equal((await registry.get('site-a'))?.installed, false);
    } finally {
      await registry.close();
      await sequelize.close();
    }
  });
});
