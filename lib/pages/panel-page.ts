/**
 * What the panel on every page shows (views/panel.hbs): this page's state, the counts, the view
 * modes and tracking choices, and the page author's public card. Pure: the route gathers the
 * inputs (the user's preferences, the author and their card) and renders what this returns.
 */
import { translator, type MessageKey, type Translator, type UserLocale } from '../i18n';
import { panelState } from '../preferences/panel-state';
import type { PreferencesView, ProfileView } from '../preferences/preference-view';
import { PROFILE_FIELDS, TRACKING_KEYS, VIEW_MODES, type ProfileField } from '../preferences/schema';
import type { SiteSettings } from '../sites/site-settings';
import { pageLanguage } from './page-language';

export const PROFILE_LABELS: Record<ProfileField, MessageKey> = {
  pronouns: 'profile.pronouns',
  workingHours: 'profile.workingHours',
  location: 'profile.location',
  note: 'profile.note',
};

/** My Keepsake as the descriptor declares it (atlassian-connect.json: the app's key, the general page's key). */
const MY_KEEPSAKE = { addonKey: 'keepsake', moduleKey: 'my-keepsake' } as const;

/** The page author's public card, as the panel shows it. */
export interface AuthorCard {
  displayName: string;
  own: boolean;
  tampered: boolean;
  fields: { label: string; value: string }[];
}

/**
 * The author's card as everyone sees it — the owner too: the fields the site makes public, not
 * the private ones the owner also keeps.
 */
export function authorCard(
  author: { accountId: string; displayName: string },
  card: ProfileView,
  settings: SiteSettings,
  viewer: string,
  i18n: Translator,
): AuthorCard {
  const rules = settings.profileFields;
  const shown = PROFILE_FIELDS.filter((f) => card.profile[f] && rules[f].enabled && rules[f].public);
  return {
    displayName: author.displayName || i18n.t('panel.card.theAuthor'),
    own: author.accountId === viewer,
    tampered: card.tampered === true,
    fields: shown.map((f) => ({ label: i18n.t(PROFILE_LABELS[f]), value: card.profile[f] as string })),
  };
}

export interface PanelPageInput {
  view: PreferencesView;
  /** The Confluence page the panel is on ('' when the page id was missing or not an id). */
  pageId: string;
  /** The author's card; 'unavailable' when it could not be read (the panel still shows). */
  author: AuthorCard | 'unavailable' | undefined;
  reader: UserLocale;
  hostBaseUrl: string;
}

export function panelPage({ view, pageId, author, reader, hostBaseUrl }: PanelPageInput) {
  const i18n = translator(reader.language);
  const state = panelState(view, pageId);
  return {
    ...pageLanguage(reader),
    title: i18n.t('common.keepsake'),
    state,
    stateJson: embeddable(state),
    pageId,
    bookmarked: state.page.bookmarked,
    watched: state.page.watched,
    counts: setCounts(i18n, state.bookmarkCount, state.watchCount),
    viewModes: VIEW_MODES.map((value) => ({ value, label: i18n.t(`viewMode.${value}`), checked: state.viewMode === value })),
    tracking: TRACKING_KEYS.map((key) => ({ key, label: i18n.t(`tracking.${key}`), checked: state.tracking[key] })),
    author: author === 'unavailable' ? undefined : author,
    authorUnavailable: author === 'unavailable',
    myKeepsake: { ...MY_KEEPSAKE, href: `${hostBaseUrl}/plugins/servlet/ac/${MY_KEEPSAKE.addonKey}/${MY_KEEPSAKE.moduleKey}` },
  };
}

/** "12 bookmarks · 1 watch" (frontend/panel/panel-state.ts words it the same way after a change). */
function setCounts(i18n: Translator, bookmarks: number, watches: number): string {
  return i18n.t('panel.counts', { bookmarks: i18n.plural('panel.bookmarks', bookmarks), watches: i18n.plural('panel.watches', watches) });
}

/** JSON safe inside a <script> element: no `</script>` or `<!--` can close it early. */
export function embeddable(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}
