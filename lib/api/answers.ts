/**
 * The JSON Keepsake's API answers (routes/api.ts, docs/api.md) and what the panel embeds: one
 * declaration each, read by the server that builds them, the iframes that read them
 * (frontend/shared/api-types.ts re-exports this file) and the tests. Nothing is imported here,
 * so the iframes' type check reads this file alone and a type-only import costs nothing in
 * their bundles; the server's own types (zod-inferred schemas) must stay assignable to these,
 * which the type check of lib/ proves wherever a view is built.
 */

export type ViewMode = 'comfortable' | 'compact' | 'focus';
export type SetName = 'bookmarks' | 'watches';
export type Backend = 'user-properties' | 'app-properties';
export type ProfileField = 'pronouns' | 'workingHours' | 'location' | 'note';

/** A page in a set: its id, its title when it was added, and when. */
export interface PageRef {
  contentId: string;
  title: string;
  addedAt: string;
}

/** Everything a user keeps, completed with the site's defaults (the legacy cookie migration's `preferences`). */
export interface PreferencesView {
  accountId: string;
  viewMode: ViewMode;
  tracking: { analytics: boolean; productEmails: boolean };
  bookmarks: PageRef[];
  watches: PageRef[];
  profile: Partial<Record<ProfileField, string>>;
  /** The panel shown as a thin bar on every page, in every browser. */
  panelCollapsed: boolean;
  backend: Backend;
  /** True when Confluence's copy was changed outside Keepsake; the last good copy is shown. */
  tampered: boolean;
}

/** GET /api/preferences and the answer of every change: the view without its sets, counted instead. */
export interface PreferencesSummary extends Omit<PreferencesView, SetName> {
  bookmarkCount: number;
  watchCount: number;
}

/** One page's place in the user's sets. */
export interface PageInSets {
  contentId: string;
  bookmarked: boolean;
  watched: boolean;
}

/** The answer of POST /api/{set} and DELETE /api/{set}/{contentId}: the summary and that page now. */
export interface SetChange extends PreferencesSummary {
  page: PageInSets;
}

/** What the page panel embeds (#keepsake-state): only what it shows. */
export interface PanelState extends Pick<PreferencesView, 'viewMode' | 'tracking' | 'panelCollapsed'> {
  bookmarkCount: number;
  watchCount: number;
  page: PageInSets;
}

/** GET /api/{set}?cursor=&limit=: one page of a set, newest first. */
export interface SetPage {
  items: PageRef[];
  /** How many entries the whole set holds. */
  total: number;
  /** Where the next page starts; null when this page is the last. */
  nextCursor: string | null;
}

export type CookieOutcome = 'migrated' | 'partial' | 'rejected' | 'ignored';

/** What became of one legacy cookie a browser sent. */
export interface CookieResult {
  cookie: string;
  outcome: CookieOutcome;
  /** Whether the browser may erase the cookie now: everything it holds is stored (or is the unfinished end of a cut-off list). */
  erase: boolean;
  code?: 'TRUNCATED' | 'MALFORMED' | 'INVALID_ENTRY' | 'UNKNOWN_COOKIE' | 'LIMIT_REACHED';
  message?: string;
}

/** POST /api/migrations/cookies. */
export interface CookieMigrationAnswer {
  results: CookieResult[];
  preferences: PreferencesView;
}

/** A site's storage move as the admin API answers it (`storage.move`). */
export interface StorageMoveStatus {
  /** `moving`: under way (or waiting for an instance to take it up); `failed`: stopped, waiting for the admin's retry. */
  state: 'moving' | 'failed';
  from: Backend | null;
  to: Backend;
  /** Users on another backend when the move was asked for. */
  total: number;
  moved: number;
  /** Users still on another backend now. */
  remaining: number;
  /** Users the last pass could not move; `error` says why the last of them failed. */
  failed: number;
  error?: string;
  startedAt: string;
  /** When the move last made progress (or stopped). */
  updatedAt: string;
}

/** Where a site's data lives, as the admin API answers it (`GET /api/admin/storage`, `storage` of the settings). */
export interface StorageStatus {
  mode: 'auto' | Backend;
  /** What `auto` found on this site, once it looked. */
  detectedBackend: Backend | null;
  /** Where the site's data lives (the old backend until a move finishes). */
  activeBackend: Backend | null;
  /** The move between backends under way, or stopped by a failure until the admin retries; null when none is. */
  move: StorageMoveStatus | null;
}

/** The site's figures on the admin page and in `GET /api/admin/stats` (with `personalData` beside them). */
export interface SiteStats {
  usersWithPreferences: number;
  storage: StorageStatus;
  migrations: { users: number; cookiesMigrated: number; cookiesRejected: number; rejectedByCode: Record<string, number> };
  confluence: { calls: number; errors: number };
  /** Records found not to be the last acknowledged copy (a late write, tampering) and written back. */
  integrity: { restoredRecords: number };
}

/** A personal-data reporting cycle's outcome (`POST /api/admin/personal-data/report`). */
export interface CycleOutcome {
  /** `done`: the cycle finished; `paused`: it stopped part way and resumes on the next run; `not-due`; `busy`: another instance runs it. */
  state: 'done' | 'paused' | 'not-due' | 'busy';
  reported: number;
  closed: number;
  updated: number;
  erased: number;
  nextCycleAt: string | null;
  /** Why a paused cycle stopped. */
  pausedBecause?: string;
}

/** The site's last or current reporting cycle: `personalData` of `GET /api/admin/stats`. */
export type PersonalDataStatus = CycleOutcome & { lastCycleAt: string | null };

/** `GET /api/admin/stats`. */
export type AdminStats = SiteStats & { personalData: PersonalDataStatus };

/** Every error answer: a stable code and a sentence a person can act on (lib/errors.ts). */
export interface ApiErrorBody {
  code: string;
  message: string;
  details?: unknown;
}
