/**
 * Keepsake's core: each user's preferences, read through the write-through cache, written to
 * Confluence under a per-user lock, sealed against tampering, and merged (never overwritten)
 * when sets change or legacy browser values arrive. Transport-free: Connect routes call it
 * today, and a Forge front end could tomorrow.
 */
import type { Transaction } from 'sequelize';
import { getPageFor } from '../confluence/pages';
import type { UserLock } from '../database/user-lock';
import { KeepsakeError } from '../errors';
import type { LegacyValues } from '../migration/legacy-cookies';
import type { SiteContext } from '../sites/site-context';
import { EMPTY_DOCUMENT, type LoadedDocument, type StoredDocument } from '../storage/document-store';
import type { Backend } from '../storage/record-store';
import type { SiteStorage } from '../storage/site-storage';
import type { CachedPreferences, PreferenceCache } from './preference-cache';
import { preferencesView, visibleProfile, type PreferencesView, type ProfileView } from './preference-view';
import { MAX_SET_SIZE, type PageRef, type PreferencesPatch, type Profile, type SetName } from './schema';

/** A change to a document: the new document, or undefined when nothing changes. */
type Change = (current: StoredDocument) => StoredDocument | undefined;

export class PreferenceService {
  constructor(
    private readonly cache: PreferenceCache,
    private readonly lock: UserLock,
    private readonly storage: SiteStorage,
    /** How old a cached copy may be before a read goes back to Confluence. */
    private readonly maxAgeMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async view(ctx: SiteContext, accountId: string): Promise<PreferencesView> {
    const current = await this.current(ctx, accountId, accountId);
    return preferencesView(accountId, current.document, ctx.site.settings, current.backend, current.tampered.length > 0);
  }

  /** Another user's public card (or the caller's own, with the fields only they see). */
  async profile(ctx: SiteContext, accountId: string, viewer: string): Promise<ProfileView> {
    const current = await this.current(ctx, accountId, viewer);
    const tampered = current.tampered.length > 0;
    // A card that failed its check may be someone else's words: show only the last good copy.
    const profile = visibleProfile(current.document?.profile, ctx.site.settings, accountId === viewer);
    return { accountId, profile, tampered };
  }

  patch(ctx: SiteContext, accountId: string, patch: PreferencesPatch): Promise<PreferencesView> {
    return this.change(ctx, accountId, (doc) => {
      const at = this.now().toISOString();
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
    const page = await getPageFor(ctx.confluence, contentId, accountId, this.storage.onBehalfOf(ctx, accountId));
    return this.change(ctx, accountId, (doc) => {
      if (doc[set].some((p) => p.contentId === contentId)) return undefined;
      if (doc[set].length >= MAX_SET_SIZE) {
        throw new KeepsakeError('CONFLICT', `You have ${MAX_SET_SIZE} ${set}, the most Keepsake keeps. Remove some first.`);
      }
      const entry: PageRef = { contentId, title: page.title.slice(0, 255), addedAt: this.now().toISOString() };
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
      throw new KeepsakeError('INVALID_INPUT', `This site does not use the profile field${disabled.length > 1 ? 's' : ''} ${disabled.join(', ')}.`, {
        fields: disabled,
      });
    }
    return this.change(ctx, accountId, (doc) =>
      sameJson(doc.profile ?? {}, profile) ? undefined : { ...doc, profile, updatedAt: { ...doc.updatedAt, profile: this.now().toISOString() } },
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
        next = { ...next, viewMode: legacy.viewMode, updatedAt: { ...next.updatedAt, viewMode: legacy.savedAt ?? this.now().toISOString() } };
      }
      if (legacy.tracking && (doc.tracking === undefined || newer('tracking'))) {
        const tracking = { ...doc.tracking, ...legacy.tracking };
        if (!sameJson(tracking, doc.tracking ?? {})) {
          next = { ...next, tracking, updatedAt: { ...next.updatedAt, tracking: legacy.savedAt ?? this.now().toISOString() } };
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
    const from = await this.lock.run(clientKey, accountId, async (tx) => {
      const cached = await this.cache.get(clientKey, accountId, tx);
      if (!cached || cached.backend === to) return undefined;
      const loaded = await this.storage.documents(ctx, cached.backend).load(accountId, this.storage.acting(ctx, cached.backend, accountId, undefined));
      const { document } = this.trusted(loaded, cached);
      let saved: LoadedDocument = { gen: 0, tampered: [], chunks: [] };
      if (document) {
        const target = this.storage.documents(ctx, to);
        const acting = this.storage.acting(ctx, to, accountId, undefined);
        saved = await target.save(accountId, document, await target.load(accountId, acting), acting);
      }
      await this.cache.record(clientKey, accountId, to, saved, tx);
      return cached.backend;
    });
    if (!from) return;
    await this.lock.run(clientKey, accountId, async (tx) => {
      if ((await this.cache.get(clientKey, accountId, tx))?.backend !== to) return;
      await this.storage.documents(ctx, from).erase(accountId, this.storage.acting(ctx, from, accountId, undefined));
    });
  }

  /** The current copy: the cache while fresh, otherwise Confluence (recorded in the cache). */
  private async current(ctx: SiteContext, accountId: string, caller: string): Promise<CachedPreferences> {
    const epoch = this.cache.epoch();
    const cached = await this.cache.get(ctx.site.clientKey, accountId);
    if (cached && this.now().getTime() - cached.fetchedAt.getTime() < this.maxAgeMs) return cached;
    // Detection, when needed, probes the caller's own account: the one known to exist.
    const backend = cached?.backend ?? (await this.storage.target(ctx, caller));
    const loaded = await this.storage.documents(ctx, backend).load(accountId, this.storage.acting(ctx, backend, accountId, caller));
    const trusted = this.trusted(loaded, cached);
    if (!cached && accountId !== caller && !trusted.document && trusted.tampered.length === 0) {
      // Nothing stored for someone else: no row, since anyone may ask about any account id.
      return { ...trusted, backend, fetchedAt: this.now() };
    }
    return this.cache.fill(ctx.site.clientKey, accountId, backend, trusted, epoch);
  }

  /** Under the user's lock: read Confluence, apply the change, write Confluence, then the cache. */
  private async change(ctx: SiteContext, accountId: string, change: Change): Promise<PreferencesView> {
    // Found before the lock: detecting it may write to the database, which a lock holder must
    // not need a second connection for.
    const target = await this.storage.target(ctx, accountId);
    return this.lock.run(ctx.site.clientKey, accountId, async (tx?: Transaction) => {
      const cached = await this.cache.get(ctx.site.clientKey, accountId, tx);
      const backend = cached?.backend ?? target;
      const documents = this.storage.documents(ctx, backend);
      const acting = this.storage.acting(ctx, backend, accountId, accountId);
      const base = this.trusted(await documents.load(accountId, acting), cached);
      const next = change(base.document ?? EMPTY_DOCUMENT);
      let stored: Pick<LoadedDocument, 'document' | 'gen' | 'chunks' | 'tampered'> = base;
      if (next !== undefined || base.tampered.length > 0) {
        stored = await documents.save(accountId, next ?? base.document ?? EMPTY_DOCUMENT, base, acting);
      }
      await this.cache.record(ctx.site.clientKey, accountId, backend, stored, tx);
      return preferencesView(accountId, stored.document, ctx.site.settings, backend, stored.tampered.length > 0);
    });
  }

  /**
   * What can be trusted of a read. Besides a failed seal, two changes made around Keepsake
   * pass the seal and are caught against the cache: an older record put back (its generation
   * is lower than the last one Keepsake wrote) and a removed record. Either way the last good
   * copy stands in, with the generation and chunks Keepsake knows, so the next write replaces
   * the intruder's record and retires the real chunks.
   */
  private trusted(loaded: LoadedDocument, cached: CachedPreferences | undefined): LoadedDocument {
    const tampered = [...loaded.tampered];
    if (tampered.length === 0 && cached?.document && (!loaded.document || loaded.gen < cached.gen)) tampered.push('main');
    if (tampered.length === 0) return loaded;
    return { document: cached?.document, gen: cached?.gen ?? 0, chunks: cached?.chunks ?? [], tampered };
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
