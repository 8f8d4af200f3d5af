/**
 * Keepsake's core: each user's preferences, read through the write-through cache, written to
 * Confluence under a per-user lock, sealed against tampering, and merged (never overwritten)
 * when sets change or legacy browser values arrive. Transport-free: Connect routes call it
 * today, and a Forge front end could tomorrow.
 *
 * Fencing: Confluence has no conditional write, and a per-user lock can be lost while a write
 * is in flight (the lock holder's database session dies; another instance takes the lock,
 * writes and answers; then the first write lands). So the cache, written in the same
 * transaction as the lock and before any answer, is the record of the last acknowledged
 * write: its generation and writer id. A record in Confluence that is not that one (a late
 * write, or a write whose answer failed) is a conflict: the acknowledged copy is written back
 * under the lock, and the site's figures count it. A writer that lost its lock cannot answer
 * 2xx, since its cache write fails with its session.
 */
import { getPageFor } from '../confluence/pages';
import { LruMap } from '../memory/lru-map';
import { currentDeadline } from '../requests/request-deadline';
import type { LockScope } from '../database/lock-scope';
import type { UserLock } from '../database/user-lock';
import { KeepsakeError } from '../errors';
import type { LegacyValues } from '../legacy-cookies/legacy-cookies';
import type { SiteContext } from '../sites/site-context';
import { EMPTY_DOCUMENT, EMPTY_LAYOUT, type LoadedDocument, type StoredDocument } from '../storage/document-store';
import { BACKENDS, type Backend } from '../storage/record-store';
import type { SiteStorage } from '../storage/site-storage';
import type { CachedPreferences, PreferenceCache } from './preference-cache';
import { preferencesView, visibleProfile, type PreferencesView, type ProfileView } from './preference-view';
import { MAX_SET_SIZE, MAX_TITLE_LENGTH, type PageRef, type PreferencesPatch, type Profile, type SetName } from './schema';
import { systemClock, type Clock } from '../time/clock';

/** A change to a document: the new document, or undefined when nothing changes. */
type Change = (current: StoredDocument) => StoredDocument | undefined;

/**
 * The cache's record of the last acknowledged write, when it can stand for what Confluence
 * holds: a write starts from it without reading Confluence, since whatever is there that is
 * not that record (a late write, a change made around Keepsake) is replaced by this write all
 * the same. A row of an earlier layout, or one that found tampering, is read afresh.
 */
function acknowledged(cached: CachedPreferences | undefined): LoadedDocument | undefined {
  if (!cached?.layout || cached.tampered.length > 0) return undefined;
  return {
    ...(cached.document ? { document: cached.document } : {}),
    gen: cached.gen,
    ...(cached.writer ? { writer: cached.writer } : {}),
    layout: cached.layout,
    tampered: [],
  };
}

function setFull(set: SetName): KeepsakeError {
  return new KeepsakeError('CONFLICT', `You have ${MAX_SET_SIZE} ${set}, the most Keepsake keeps. Remove some first.`);
}

export class PreferenceService {
  /** Users whose last write on this instance failed part way (bounded: a lost entry costs only a later sweep). */
  private readonly failedWrites = new LruMap<string, true>(10_000);

  constructor(
    private readonly cache: PreferenceCache,
    private readonly lock: UserLock,
    private readonly storage: SiteStorage,
    /** How old a cached copy may be before a read goes back to Confluence. */
    private readonly maxAgeMs: number,
    private readonly clock: Clock = systemClock,
  ) {}

  async view(ctx: SiteContext, accountId: string): Promise<PreferencesView> {
    const current = await this.current(ctx, accountId, accountId);
    return preferencesView(accountId, current.document, ctx.site.settings, current.backend, current.tampered.length > 0);
  }

  /**
   * Another user's public card (or the caller's own, with the fields only they see). A card
   * that failed its check shows the last good copy. Only the owner is told it failed: a flag
   * others could watch flip would link a record to its account.
   */
  async profile(ctx: SiteContext, accountId: string, viewer: string): Promise<ProfileView> {
    const current = await this.current(ctx, accountId, viewer);
    const owner = accountId === viewer;
    const profile = visibleProfile(current.document?.profile, ctx.site.settings, owner);
    return owner ? { accountId, profile, tampered: current.tampered.length > 0 } : { accountId, profile };
  }

  patch(ctx: SiteContext, accountId: string, patch: PreferencesPatch): Promise<PreferencesView> {
    return this.change(ctx, accountId, (doc) => {
      const at = this.clock.now().toISOString();
      let next = doc;
      if (patch.viewMode !== undefined && patch.viewMode !== doc.viewMode) {
        next = { ...next, viewMode: patch.viewMode, updatedAt: { ...next.updatedAt, viewMode: at } };
      }
      if (patch.tracking && Object.entries(patch.tracking).some(([k, v]) => doc.tracking?.[k as keyof typeof patch.tracking] !== v)) {
        next = { ...next, tracking: { ...doc.tracking, ...patch.tracking }, updatedAt: { ...next.updatedAt, tracking: at } };
      }
      if (patch.panelCollapsed !== undefined && patch.panelCollapsed !== (doc.panelCollapsed ?? false)) {
        next = { ...next, panelCollapsed: patch.panelCollapsed, updatedAt: { ...next.updatedAt, panelCollapsed: at } };
      }
      return next === doc ? undefined : next;
    });
  }

  async addPage(ctx: SiteContext, accountId: string, set: SetName, contentId: string): Promise<PreferencesView> {
    // A full set is refused before anything is asked of Confluence (and checked again under the lock).
    const known = (await this.cache.get(ctx.site.clientKey, accountId))?.document?.[set];
    if (known && known.length >= MAX_SET_SIZE && !known.some((p) => p.contentId === contentId)) throw setFull(set);
    const page = await getPageFor(ctx.confluence, contentId, accountId, this.storage.onBehalfOf(ctx, accountId));
    return this.change(ctx, accountId, (doc) => {
      if (doc[set].some((p) => p.contentId === contentId)) return undefined;
      if (doc[set].length >= MAX_SET_SIZE) throw setFull(set);
      const entry: PageRef = { contentId, title: page.title.slice(0, MAX_TITLE_LENGTH), addedAt: this.clock.now().toISOString() };
      return { ...doc, [set]: [...doc[set], entry] };
    });
  }

  removePage(ctx: SiteContext, accountId: string, set: SetName, contentId: string): Promise<PreferencesView> {
    return this.change(ctx, accountId, (doc) =>
      doc[set].some((p) => p.contentId === contentId) ? { ...doc, [set]: doc[set].filter((p) => p.contentId !== contentId) } : undefined,
    );
  }

  putProfile(ctx: SiteContext, accountId: string, profile: Profile): Promise<PreferencesView> {
    const disabled = Object.keys(profile).filter((f) => !ctx.site.settings.profileFields[f as keyof Profile].enabled);
    if (disabled.length > 0) {
      throw new KeepsakeError(
        'INVALID_INPUT',
        `This site does not use the profile field${disabled.length > 1 ? 's' : ''} ${disabled.join(', ')}.`,
        {
          fields: disabled,
        },
      );
    }
    return this.change(ctx, accountId, (doc) =>
      sameJson(doc.profile ?? {}, profile)
        ? undefined
        : { ...doc, profile, updatedAt: { ...doc.updatedAt, profile: this.clock.now().toISOString() } },
    );
  }

  /** Writes the last good copy back over a copy changed outside Keepsake. */
  repair(ctx: SiteContext, accountId: string): Promise<PreferencesView> {
    return this.change(ctx, accountId, () => undefined);
  }

  /**
   * Merges one browser's legacy values: single values only when newer than the stored ones
   * (or not stored at all), sets by union. The same values twice change nothing.
   */
  async mergeLegacy(ctx: SiteContext, accountId: string, legacy: LegacyValues): Promise<{ view: PreferencesView; overflow: SetName[] }> {
    let overflow: SetName[] = [];
    const view = await this.change(ctx, accountId, (doc) => {
      overflow = [];
      let next = doc;
      const newer = (field: keyof StoredDocument['updatedAt']) => {
        const stored = doc.updatedAt[field];
        return stored === undefined || (legacy.savedAt !== undefined && legacy.savedAt > stored);
      };
      if (legacy.viewMode && legacy.viewMode !== doc.viewMode && (doc.viewMode === undefined || newer('viewMode'))) {
        next = {
          ...next,
          viewMode: legacy.viewMode,
          updatedAt: { ...next.updatedAt, viewMode: legacy.savedAt ?? this.clock.now().toISOString() },
        };
      }
      if (legacy.tracking && (doc.tracking === undefined || newer('tracking'))) {
        const tracking = { ...doc.tracking, ...legacy.tracking };
        if (!sameJson(tracking, doc.tracking ?? {})) {
          next = { ...next, tracking, updatedAt: { ...next.updatedAt, tracking: legacy.savedAt ?? this.clock.now().toISOString() } };
        }
      }
      for (const set of ['bookmarks', 'watches'] as const) {
        const have = new Set(next[set].map((p) => p.contentId));
        const added = (legacy[set] ?? []).filter((p) => !have.has(p.contentId));
        // What does not fit stays in the browser's cookie (see CookieMigration): never dropped.
        if (next[set].length + added.length > MAX_SET_SIZE) overflow.push(set);
        if (added.length > 0) next = { ...next, [set]: [...next[set], ...added].slice(0, MAX_SET_SIZE) };
      }
      return next === doc ? undefined : next;
    });
    return { view, overflow };
  }

  /**
   * Moves one user's data to another backend (a storage mode switch); safe to repeat. The new
   * copy is written and its record committed first; only then, in a second step, is the old
   * copy removed: a stop in between leaves two copies, never none.
   */
  async move(ctx: SiteContext, accountId: string, to: Backend): Promise<void> {
    const { clientKey } = ctx.site;
    const from = await this.lock.run(clientKey, accountId, async (scope) => {
      const cached = await this.cache.get(clientKey, accountId, scope);
      if (!cached || cached.backend === to) return undefined;
      const loaded = await this.storage
        .documents(ctx, cached.backend)
        .load(accountId, this.storage.acting(ctx, cached.backend, accountId, undefined));
      const { document } = this.trusted(loaded, cached);
      let saved: LoadedDocument = { gen: 0, tampered: [], layout: EMPTY_LAYOUT };
      if (document) {
        const target = this.storage.documents(ctx, to);
        const acting = this.storage.acting(ctx, to, accountId, undefined);
        saved = await target.save(accountId, document, await target.load(accountId, acting), acting);
      }
      await this.cache.record(clientKey, accountId, to, saved, scope);
      return cached.backend;
    });
    if (!from) return;
    await this.lock.run(clientKey, accountId, async (scope) => {
      if ((await this.cache.get(clientKey, accountId, scope))?.backend !== to) return;
      await this.storage.documents(ctx, from).erase(accountId, this.storage.acting(ctx, from, accountId, undefined));
    });
  }

  /**
   * What is stored for the user, read from Confluence (not the cache), and where: for the
   * user's own export. A copy that failed its check is left out, and said so.
   */
  async stored(
    ctx: SiteContext,
    accountId: string,
  ): Promise<{ backend: Backend; document?: StoredDocument; records: string[]; tampered: string[] }> {
    const cached = await this.cache.get(ctx.site.clientKey, accountId);
    const backend = cached?.backend ?? (await this.storage.target(ctx, accountId));
    const documents = this.storage.documents(ctx, backend);
    const acting = this.storage.acting(ctx, backend, accountId, accountId);
    const trusted = this.trusted(await documents.load(accountId, acting), cached);
    const records = await documents.records.list(accountId, acting);
    return { backend, ...(trusted.document ? { document: trusted.document } : {}), records, tampered: trusted.tampered };
  }

  /**
   * Erases everything of the user's in Confluence, on both backends (a storage move may have
   * left a copy behind), then the cached copy on every instance; afterwards Keepsake treats
   * them as a new user. Under the user's lock, so no write of theirs can land in between.
   * `caller` is the user themselves, or undefined when the app erases (a closed account).
   */
  async erase(ctx: SiteContext, accountId: string, caller: string | undefined): Promise<{ records: number }> {
    const target = await this.storage.target(ctx, accountId);
    return this.lock.run(ctx.site.clientKey, accountId, async (scope?: LockScope) => {
      const active = (await this.cache.get(ctx.site.clientKey, accountId, scope))?.backend ?? target;
      let records = 0;
      for (const backend of BACKENDS) {
        const documents = this.storage.documents(ctx, backend);
        const acting = this.storage.acting(ctx, backend, accountId, caller);
        try {
          records += await documents.erase(accountId, acting);
        } catch (error) {
          // A site without user properties holds nothing there; any other failure stops the erasure, to be asked again.
          if (backend === active || !(error instanceof KeepsakeError && error.code === 'USER_PROPERTIES_UNAVAILABLE')) throw error;
        }
      }
      await this.cache.forget(ctx.site.clientKey, accountId, scope);
      return { records };
    });
  }

  /** The current copy: the cache while fresh, otherwise Confluence (recorded in the cache). */
  private async current(ctx: SiteContext, accountId: string, caller: string): Promise<CachedPreferences> {
    const epoch = this.cache.epoch();
    const cached = await this.cache.get(ctx.site.clientKey, accountId);
    if (cached && this.clock.now().getTime() - cached.fetchedAt.getTime() < this.maxAgeMs) return cached;
    // Detection, when needed, probes the caller's own account: the one known to exist.
    const backend = cached?.backend ?? (await this.storage.target(ctx, caller));
    const loaded = await this.storage.documents(ctx, backend).load(accountId, this.storage.acting(ctx, backend, accountId, caller));
    const trusted = this.trusted(loaded, cached);
    if (trusted.conflict || trusted.legacy) {
      // Not the acknowledged record (or one in an earlier format): under the lock, which
      // looks again, the acknowledged copy is written back in the current format.
      const { backend: now, stored } = await this.write(ctx, accountId, () => undefined, { reread: true });
      return { ...stored, backend: now, fetchedAt: this.clock.now() };
    }
    if (!cached && accountId !== caller && !trusted.document && trusted.tampered.length === 0) {
      // Nothing stored for someone else: no row, since anyone may ask about any account id.
      return { ...trusted, backend, fetchedAt: this.clock.now() };
    }
    return this.cache.fill(ctx.site.clientKey, accountId, backend, trusted, epoch);
  }

  private async change(ctx: SiteContext, accountId: string, change: Change): Promise<PreferencesView> {
    const { backend, stored } = await this.write(ctx, accountId, change);
    return preferencesView(accountId, stored.document, ctx.site.settings, backend, stored.tampered.length > 0);
  }

  /**
   * Under the user's lock: start from the acknowledged copy (the cache's, or Confluence's when
   * the cache cannot stand for it), apply the change, write Confluence, then the cache. A
   * record that is not the acknowledged one, or is in an earlier format, is written anew even
   * when the change changes nothing.
   */
  private async write(
    ctx: SiteContext,
    accountId: string,
    change: Change,
    options: { reread?: boolean } = {},
  ): Promise<{ backend: Backend; stored: LoadedDocument }> {
    // Found before the lock: detecting it may write to the database, which a lock holder must
    // not need a second connection for.
    const target = await this.storage.target(ctx, accountId);
    return this.lock.run(ctx.site.clientKey, accountId, async (scope?: LockScope) => {
      const cached = await this.cache.get(ctx.site.clientKey, accountId, scope);
      const backend = cached?.backend ?? target;
      const documents = this.storage.documents(ctx, backend);
      const acting = this.storage.acting(ctx, backend, accountId, accountId);
      // A read that met a record not the acknowledged one asks for it to be looked at again here.
      const base = (options.reread ? undefined : acknowledged(cached)) ?? this.trusted(await documents.load(accountId, acting), cached);
      const next = change(base.document ?? EMPTY_DOCUMENT);
      let stored: LoadedDocument = base;
      const replaced = base.tampered.length > 0 || base.conflict === true;
      if (next !== undefined || replaced || base.legacy) {
        // Nothing is written for a request already answered (timed out, or its client left).
        if (currentDeadline()?.beginWrite() === false) {
          throw new KeepsakeError(
            'TIMEOUT',
            'This change was not saved: Keepsake had already answered the request. Try again.',
            undefined,
            5,
          );
        }
        const key = `${ctx.site.clientKey} ${accountId}`;
        const sweep = this.failedWrites.get(key) ?? false;
        try {
          stored = await documents.save(accountId, next ?? base.document ?? EMPTY_DOCUMENT, base, acting, { sweep });
        } catch (error) {
          // Cut short, it may have left chunks that nothing points at: the next write looks.
          this.failedWrites.set(key, true);
          throw error;
        }
        if (sweep) this.failedWrites.delete(key);
      }
      await this.cache.record(ctx.site.clientKey, accountId, backend, stored, scope);
      if (replaced) this.storage.countRestore(ctx);
      return { backend, stored };
    });
  }

  /**
   * What can be trusted of a read, checked against the cache's record of the last
   * acknowledged write. Besides a failed seal, two changes made around Keepsake pass the seal:
   * an older record put back (a lower generation) and a removed record — tampering, reported
   * to the owner. A record of the same generation by another writer, or of a higher one, was
   * written by no acknowledged write — a conflict (see the class comment). Either way the last
   * good copy stands in, with its chunks, and a generation no lower than any seen, so the next
   * write replaces what is there and sweeps the rest.
   */
  private trusted(loaded: LoadedDocument, cached: CachedPreferences | undefined): LoadedDocument {
    const tampered = [...loaded.tampered];
    if (tampered.length === 0 && cached?.document && (!loaded.document || loaded.gen < cached.gen)) tampered.push('main');
    const conflict =
      tampered.length === 0 &&
      cached !== undefined &&
      loaded.document !== undefined &&
      (loaded.gen > cached.gen || (loaded.gen === cached.gen && cached.writer !== undefined && loaded.writer !== cached.writer));
    if (tampered.length === 0 && !conflict) return loaded;
    return {
      document: cached?.document,
      gen: Math.max(loaded.gen, cached?.gen ?? 0),
      ...(cached?.writer ? { writer: cached.writer } : {}),
      ...(cached?.layout ? { layout: cached.layout } : {}),
      tampered,
      ...(conflict ? { conflict } : {}),
    };
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
