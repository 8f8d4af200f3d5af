/**
 * What a user is shown: the stored document completed with the site's defaults, and the
 * profile cut down to the fields the site has enabled (and, for other viewers, made public).
 */
import type { SiteSettings } from '../sites/site-settings';
import type { StoredDocument } from '../storage/document-store';
import type { Backend } from '../storage/record-store';
import { PROFILE_FIELDS, type Profile } from './schema';
import type { PreferencesView } from '../api/answers';

export type { PreferencesView };

export interface ProfileView {
  accountId: string;
  profile: Profile;
  /** The owner's own card only: the stored card failed its check and the last good copy is shown. */
  tampered?: boolean;
}

export function preferencesView(
  accountId: string,
  document: StoredDocument | undefined,
  settings: SiteSettings,
  backend: Backend,
  tampered: boolean,
): PreferencesView {
  return {
    accountId,
    viewMode: document?.viewMode ?? settings.defaults.viewMode,
    tracking: { ...settings.defaults.tracking, ...document?.tracking },
    bookmarks: document?.bookmarks ?? [],
    watches: document?.watches ?? [],
    profile: visibleProfile(document?.profile, settings, true),
    panelCollapsed: document?.panelCollapsed ?? false,
    backend,
    tampered,
  };
}

export function visibleProfile(profile: Profile | undefined, settings: SiteSettings, owner: boolean): Profile {
  const visible: Profile = {};
  for (const field of PROFILE_FIELDS) {
    const rule = settings.profileFields[field];
    const value = profile?.[field];
    if (value !== undefined && rule.enabled && (owner || rule.public)) visible[field] = value;
  }
  return visible;
}
