// The JSON Keepsake's API answers, as the iframes use it: declared once, in lib/api/answers.ts
// (a type-only import: nothing of it reaches the bundles).
export type {
  AdminStats,
  ApiErrorBody,
  CookieMigrationAnswer,
  CookieResult,
  CycleOutcome,
  PageInSets,
  PageRef,
  PanelState,
  PersonalDataStatus,
  PreferencesSummary,
  PreferencesView,
  SetChange,
  SetName,
  SetPage,
  SiteStats,
  StorageMoveStatus,
  StorageStatus,
  ViewMode,
} from '../../lib/api/answers';
