// The preference service on its own (issue 13): what its header comment promises — changes
// merged and written once, writes of one user serialised, fencing through the cache's
// generation and writer id (a late write is a conflict and the acknowledged copy is written
// back), a record changed outside Keepsake reported to its owner only — checked in seconds
// against an in-memory Confluence, the real cache and locks on in-memory sqlite, and a clock
// the test moves.
import assert from 'node:assert/strict';
import { AS_APP } from '../../lib/confluence/client';
import { createChangeFeed } from '../../lib/database/change-feed';
import { UserLock } from '../../lib/database/user-lock';
import { KeepsakeError } from '../../lib/errors';
import { createLogger } from '../../lib/logger';
import { PreferenceCache } from '../../lib/preferences/preference-cache';
import { PreferenceService } from '../../lib/preferences/preference-service';
import { MAX_SET_SIZE, type PageRef } from '../../lib/preferences/schema';
import type { SiteContext } from '../../lib/sites/site-context';
import { SiteRegistry } from '../../lib/sites/site-registry';
import { AppPropertyBucketLedger } from '../../lib/storage/app-property-bucket-ledger';
import type { DocumentStore } from '../../lib/storage/document-store';
import { SiteStorage } from '../../lib/storage/site-storage';
import { InMemoryConfluence } from './support/in-memory-confluence';
import { ManualClock } from './support/manual-clock';
import { memoryDatabase, type MemoryDatabase } from './support/memory-database';

const MAX_AGE_MS = 300_000;
const MAIN = 'keepsake-main';

interface Keepsake {
  clock: ManualClock;
  confluence: InMemoryConfluence;
  registry: SiteRegistry;
  service: PreferenceService;
  ctx: SiteContext;
  /** The user-property document store, for reading and writing around the service. */
  documents: DocumentStore;
  close(): Promise<void>;
}

/** Keepsake on a site of its own in the shared database (migrating it once per test would cost more than the tests). */
async function keepsake({ sequelize, models }: MemoryDatabase, clientKey: string): Promise<Keepsake> {
  const clock = new ManualClock();
  const confluence = new InMemoryConfluence(clientKey);
  const registry = new SiteRegistry(models, 2000, clock);
  await registry.markInstalled(confluence.clientKey);
  const lock = new UserLock(sequelize, 5, 32);
  const cache = new PreferenceCache(models, createChangeFeed(sequelize, undefined, createLogger('silent')), undefined, clock);
  const storage = new SiteStorage(registry, lock, 32_768, new AppPropertyBucketLedger(sequelize, models, 2));
  const service = new PreferenceService(cache, lock, storage, MAX_AGE_MS, clock);
  const site = (await registry.get(confluence.clientKey))!;
  const ctx: SiteContext = { site, appKey: 'keepsake-unit', confluence, canActAsUser: false };
  return {
    clock,
    confluence,
    registry,
    service,
    ctx,
    documents: storage.documents(ctx, 'user-properties'),
    close: () => registry.close(),
  };
}

/** The calls since `mark` that change something in Confluence. */
function writesSince(k: Keepsake, mark: number): string[] {
  return k.confluence.callsSince(mark).filter((call) => !call.startsWith('GET') && !call.includes('/permission/check'));
}

/** Restored records the site's figures show, once the registry's memo has lapsed. */
async function restoredRecords(k: Keepsake): Promise<number> {
  k.clock.advance(2001);
  return (await k.registry.get(k.ctx.site.clientKey))!.restoredRecords;
}

function pageRef(contentId: string, addedAt: string): PageRef {
  return { contentId, title: `Page ${contentId}`, addedAt };
}

describe('PreferenceService (in-memory Confluence, sqlite in memory)', () => {
  let db: MemoryDatabase;
  let sites = 0;
  let k: Keepsake;
  before(async () => {
    db = await memoryDatabase();
  });
  after(() => db.sequelize.close());
  beforeEach(async () => {
    k = await keepsake(db, `unit-site-${++sites}`);
  });
  afterEach(() => k.close());

  it('writes a change once, dated by the clock; the same change again costs no call', async () => {
    const view = await k.service.patch(k.ctx, 'alice', { viewMode: 'compact', tracking: { analytics: true } });
    assert.deepEqual(
      [view.viewMode, view.tracking, view.tampered, view.backend],
      ['compact', { analytics: true, productEmails: false }, false, 'user-properties'],
    );
    const stored = await k.documents.load('alice', AS_APP);
    assert.equal(stored.gen, 1);
    assert.deepEqual(stored.document?.updatedAt, { viewMode: k.clock.now().toISOString(), tracking: k.clock.now().toISOString() });

    const mark = k.confluence.calls.length;
    await k.service.patch(k.ctx, 'alice', { viewMode: 'compact' });
    assert.equal((await k.service.view(k.ctx, 'alice')).viewMode, 'compact');
    assert.deepEqual(k.confluence.callsSince(mark), [], 'nothing changed, and the cache stands for Confluence');
  });

  it('reads Confluence again only once the cached copy is older than the bound', async () => {
    await k.service.patch(k.ctx, 'alice', { viewMode: 'focus' });
    let mark = k.confluence.calls.length;
    k.clock.advance(MAX_AGE_MS - 1);
    await k.service.view(k.ctx, 'alice');
    assert.deepEqual(k.confluence.callsSince(mark), []);
    k.clock.advance(1);
    mark = k.confluence.calls.length;
    assert.equal((await k.service.view(k.ctx, 'alice')).viewMode, 'focus');
    assert.ok(k.confluence.callsSince(mark).includes(`GET /rest/api/user/alice/property/${MAIN}`));
  });

  it('adds a page with its title once, removes it, and refuses a page the user may not read without writing', async () => {
    k.confluence.pages.set('101', { title: 'Release checklist' });
    k.confluence.pages.set('202', { title: 'Salaries', readers: new Set(['bob']) });
    const added = await k.service.addPage(k.ctx, 'alice', 'bookmarks', '101');
    assert.deepEqual(added.bookmarks, [{ contentId: '101', title: 'Release checklist', addedAt: k.clock.now().toISOString() }]);

    let mark = k.confluence.calls.length;
    await k.service.addPage(k.ctx, 'alice', 'bookmarks', '101');
    assert.deepEqual(writesSince(k, mark), [], 'already there');

    mark = k.confluence.calls.length;
    await assert.rejects(k.service.addPage(k.ctx, 'alice', 'bookmarks', '202'), (e: KeepsakeError) => e.code === 'NOT_FOUND');
    await assert.rejects(k.service.addPage(k.ctx, 'alice', 'watches', '303'), (e: KeepsakeError) => e.code === 'NOT_FOUND');
    assert.deepEqual(writesSince(k, mark), []);

    const removed = await k.service.removePage(k.ctx, 'alice', 'bookmarks', '101');
    assert.deepEqual(removed.bookmarks, []);
    assert.deepEqual((await k.documents.load('alice', AS_APP)).document?.bookmarks, []);
  });

  it('serialises concurrent changes of one user: none is lost', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => String(1000 + i));
    for (const id of ids) k.confluence.pages.set(id, { title: `Page ${id}` });
    await Promise.all(
      ids.map((id, i) =>
        i % 2
          ? k.service.addPage(k.ctx, 'alice', 'watches', id)
          : k.service.patch(k.ctx, 'alice', { viewMode: i % 4 ? 'compact' : 'focus' }),
      ),
    );
    await Promise.all(ids.filter((_, i) => i % 2 === 0).map((id) => k.service.addPage(k.ctx, 'alice', 'bookmarks', id)));
    const stored = (await k.documents.load('alice', AS_APP)).document!;
    assert.deepEqual(stored.watches.map((p) => p.contentId).sort(), ids.filter((_, i) => i % 2).sort());
    assert.deepEqual(stored.bookmarks.map((p) => p.contentId).sort(), ids.filter((_, i) => i % 2 === 0).sort());
  });

  it('merges legacy values: single values only when newer, sets by union; the same values twice change nothing', async () => {
    await k.service.patch(k.ctx, 'alice', { viewMode: 'focus' });
    const patchedAt = k.clock.now();
    const older = new Date(patchedAt.getTime() - 86_400_000).toISOString();
    let merged = await k.service.mergeLegacy(k.ctx, 'alice', { savedAt: older, viewMode: 'compact', bookmarks: [pageRef('11', older)] });
    assert.deepEqual([merged.view.viewMode, merged.view.bookmarks.map((p) => p.contentId), merged.overflow], ['focus', ['11'], []]);

    k.clock.advance(3_600_000);
    const newer = k.clock.now().toISOString();
    const legacy = { savedAt: newer, viewMode: 'compact' as const, bookmarks: [pageRef('11', older), pageRef('12', newer)] };
    merged = await k.service.mergeLegacy(k.ctx, 'alice', legacy);
    assert.deepEqual([merged.view.viewMode, merged.view.bookmarks.map((p) => p.contentId)], ['compact', ['11', '12']]);

    const mark = k.confluence.calls.length;
    await k.service.mergeLegacy(k.ctx, 'alice', legacy);
    assert.deepEqual(writesSince(k, mark), []);
  });

  it('keeps at most the full set: legacy overflow is reported, and an add to a full set is refused before Confluence is asked', async () => {
    const at = k.clock.now().toISOString();
    const many = Array.from({ length: MAX_SET_SIZE + 5 }, (_, i) => pageRef(String(5000 + i), at));
    const { view, overflow } = await k.service.mergeLegacy(k.ctx, 'alice', { bookmarks: many });
    assert.deepEqual([view.bookmarks.length, overflow], [MAX_SET_SIZE, ['bookmarks']]);
    assert.equal((await k.documents.load('alice', AS_APP)).document?.bookmarks.length, MAX_SET_SIZE);

    const mark = k.confluence.calls.length;
    await assert.rejects(k.service.addPage(k.ctx, 'alice', 'bookmarks', '42'), (e: KeepsakeError) => e.code === 'CONFLICT');
    assert.deepEqual(k.confluence.callsSince(mark), []);
  });

  it('refuses a profile field the site does not use, and shows others only the public fields', async () => {
    // Saved as an admin saves them; a request after that reads the site afresh.
    const { clientKey, settings } = k.ctx.site;
    await k.registry.saveSettings(clientKey, {
      ...settings,
      profileFields: {
        ...settings.profileFields,
        location: { enabled: true, public: false },
        workingHours: { enabled: false, public: false },
      },
    });
    k.ctx = { ...k.ctx, site: (await k.registry.get(clientKey))! };
    await assert.rejects(
      async () => k.service.putProfile(k.ctx, 'alice', { workingHours: '9–5' }),
      (e: KeepsakeError) => e.code === 'INVALID_INPUT',
    );
    await k.service.putProfile(k.ctx, 'alice', { note: 'Kept', location: 'Berlin' });
    assert.deepEqual(await k.service.profile(k.ctx, 'alice', 'bob'), { accountId: 'alice', profile: { note: 'Kept' } });
    assert.deepEqual(await k.service.profile(k.ctx, 'alice', 'alice'), {
      accountId: 'alice',
      profile: { note: 'Kept', location: 'Berlin' },
      tampered: false,
    });
  });

  it('a record changed outside Keepsake is tampered: the owner sees the last good copy and is told, others only the last good card; repair writes it back and is counted', async () => {
    await k.service.putProfile(k.ctx, 'alice', { note: 'Kept' });
    await k.service.putProfile(k.ctx, 'bob', { note: 'Bob’s' });
    // Bob's record copied over Alice's: sealed for another owner.
    k.confluence.propertiesOf('alice').set(MAIN, k.confluence.propertiesOf('bob').get(MAIN));
    k.clock.advance(MAX_AGE_MS);

    const own = await k.service.view(k.ctx, 'alice');
    assert.deepEqual([own.tampered, own.profile], [true, { note: 'Kept' }]);
    assert.deepEqual(
      await k.service.profile(k.ctx, 'alice', 'bob'),
      { accountId: 'alice', profile: { note: 'Kept' } },
      'no flag others could watch',
    );
    assert.deepEqual(await k.service.profile(k.ctx, 'alice', 'alice'), { accountId: 'alice', profile: { note: 'Kept' }, tampered: true });
    assert.deepEqual((await k.documents.load('alice', AS_APP)).tampered, ['main'], 'a read alone writes nothing over it');

    const repaired = await k.service.repair(k.ctx, 'alice');
    assert.deepEqual([repaired.tampered, repaired.profile], [false, { note: 'Kept' }]);
    const stored = await k.documents.load('alice', AS_APP);
    assert.deepEqual([stored.tampered, stored.document?.profile], [[], { note: 'Kept' }]);
    assert.equal(await restoredRecords(k), 1);
  });

  it('an older record put back, or one removed, is tampering too', async () => {
    await k.service.patch(k.ctx, 'alice', { viewMode: 'compact' });
    const older = k.confluence.propertiesOf('alice').get(MAIN);
    await k.service.patch(k.ctx, 'alice', { viewMode: 'focus' });

    k.confluence.propertiesOf('alice').set(MAIN, older);
    k.clock.advance(MAX_AGE_MS);
    let view = await k.service.view(k.ctx, 'alice');
    assert.deepEqual([view.tampered, view.viewMode], [true, 'focus']);
    await k.service.repair(k.ctx, 'alice');

    k.confluence.propertiesOf('alice').delete(MAIN);
    k.clock.advance(MAX_AGE_MS);
    view = await k.service.view(k.ctx, 'alice');
    assert.deepEqual([view.tampered, view.viewMode], [true, 'focus']);
  });

  it('a late write (its writer lost the lock) is a conflict: the acknowledged copy is written back, not reported as tampering, and counted', async () => {
    await k.service.patch(k.ctx, 'alice', { viewMode: 'compact' });
    const before = await k.documents.load('alice', AS_APP);
    await k.service.patch(k.ctx, 'alice', { viewMode: 'focus' });
    // The late writer started from generation 1 too: it writes generation 2 under its own id.
    await k.documents.save('alice', { ...before.document!, viewMode: 'comfortable' }, before, AS_APP);
    k.clock.advance(MAX_AGE_MS);

    const mark = k.confluence.calls.length;
    const view = await k.service.view(k.ctx, 'alice');
    assert.deepEqual([view.viewMode, view.tampered], ['focus', false]);
    assert.ok(writesSince(k, mark).includes(`PUT /rest/api/user/alice/property/${MAIN}`), 'written back');
    const stored = await k.documents.load('alice', AS_APP);
    assert.deepEqual([stored.document?.viewMode, stored.gen, stored.tampered], ['focus', 3, []]);
    assert.equal(await restoredRecords(k), 1);
  });

  it('a write after a late write starts from the acknowledged copy, without reading Confluence first', async () => {
    await k.service.patch(k.ctx, 'alice', { viewMode: 'compact' });
    const before = await k.documents.load('alice', AS_APP);
    await k.service.patch(k.ctx, 'alice', { viewMode: 'focus' });
    await k.documents.save('alice', { ...before.document!, viewMode: 'comfortable', panelCollapsed: false }, before, AS_APP);

    const mark = k.confluence.calls.length;
    const view = await k.service.patch(k.ctx, 'alice', { panelCollapsed: true });
    assert.deepEqual([view.viewMode, view.panelCollapsed], ['focus', true]);
    assert.ok(!k.confluence.callsSince(mark).some((call) => call.startsWith('GET')), 'no read before the write');
    assert.equal((await k.documents.load('alice', AS_APP)).document?.viewMode, 'focus', 'the late value is gone');
  });

  it('a write Confluence refuses is not acknowledged: the cache keeps the last acknowledged copy', async () => {
    await k.service.patch(k.ctx, 'alice', { viewMode: 'compact' });
    k.confluence.failNext((call) => call.method === 'PUT' && call.path.endsWith(MAIN), 503);
    await assert.rejects(k.service.patch(k.ctx, 'alice', { viewMode: 'focus' }), (e: KeepsakeError) => e.code === 'CONFLUENCE_REJECTED');
    assert.equal((await k.service.view(k.ctx, 'alice')).viewMode, 'compact');
    assert.equal((await k.service.patch(k.ctx, 'alice', { viewMode: 'focus' })).viewMode, 'focus');
  });

  it('erases every record of the user and the cached copy: they read as a new user', async () => {
    k.confluence.pages.set('101', { title: 'Release checklist' });
    await k.service.patch(k.ctx, 'alice', { viewMode: 'focus' });
    await k.service.addPage(k.ctx, 'alice', 'bookmarks', '101');
    const kept = k.confluence.propertiesOf('alice').size;
    assert.deepEqual(await k.service.erase(k.ctx, 'alice', 'alice'), { records: kept });
    assert.equal(k.confluence.propertiesOf('alice').size, 0);
    const view = await k.service.view(k.ctx, 'alice');
    assert.deepEqual([view.viewMode, view.bookmarks, view.tampered], ['comfortable', [], false]);
  });
});
