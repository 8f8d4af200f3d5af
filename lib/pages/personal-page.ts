/**
 * What My Keepsake shows (views/personal.hbs): the first page of each set, with links and the
 * day each was added in the reader's time zone, and the profile card's fields. Later pages are
 * fetched by frontend/personal/set-list.ts, which builds entries the same way.
 */
import { formatDay, translator, type UserLocale } from '../i18n';
import type { PreferencesView } from '../preferences/preference-view';
import { PROFILE_FIELDS, PROFILE_FIELD_LIMITS, type PageRef } from '../preferences/schema';
import { setPage } from '../preferences/set-page';
import type { SiteSettings } from '../sites/site-settings';
import { pageLanguage } from './page-language';
import { PROFILE_LABELS } from './panel-page';

export function personalPage(view: PreferencesView, settings: SiteSettings, reader: UserLocale, hostBaseUrl: string) {
  const i18n = translator(reader.language);
  const pageUrl = `${hostBaseUrl}/pages/viewpage.action?pageId=`;
  const pageLink = (p: PageRef) => ({
    ...p,
    title: p.title || i18n.t('personal.untitled', { id: p.contentId }),
    href: pageUrl + encodeURIComponent(p.contentId),
    added: p.addedAt ? formatDay(p.addedAt, reader) : '',
  });
  const firstPage = (entries: PageRef[]) => {
    const { items, total, nextCursor } = setPage(entries, {});
    return { items: items.map(pageLink), total, nextCursor };
  };
  const fields = settings.profileFields;
  return {
    ...pageLanguage(reader),
    title: i18n.t('personal.title'),
    pageUrl,
    bookmarks: firstPage(view.bookmarks),
    watches: firstPage(view.watches),
    profileFields: PROFILE_FIELDS.filter((f) => fields[f].enabled).map((f) => ({
      name: f,
      label: i18n.t(PROFILE_LABELS[f]),
      value: view.profile[f] ?? '',
      maxLength: PROFILE_FIELD_LIMITS[f],
      multiline: f === 'note',
      public: fields[f].public,
    })),
    tampered: view.tampered,
  };
}
