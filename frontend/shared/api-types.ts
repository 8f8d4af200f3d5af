// The JSON Keepsake's API answers (routes/api.ts), as the iframes use it.

export type ViewMode = 'comfortable' | 'compact' | 'focus';
export type SetName = 'bookmarks' | 'watches';

export interface PageRef {
  contentId: string;
  title: string;
  addedAt: string;
}

export interface PreferencesView {
  accountId: string;
  viewMode: ViewMode;
  tracking: { analytics: boolean; productEmails: boolean };
  bookmarks: PageRef[];
  watches: PageRef[];
  profile: Record<string, string>;
  panelCollapsed: boolean;
  backend: string;
  tampered: boolean;
}

export interface CookieResult {
  cookie: string;
  outcome: 'migrated' | 'partial' | 'rejected' | 'ignored';
  erase: boolean;
  code?: string;
  message?: string;
}

export interface CookieMigrationAnswer {
  results: CookieResult[];
  preferences: PreferencesView;
}

export interface ApiErrorBody {
  code: string;
  message: string;
  details?: unknown;
}
