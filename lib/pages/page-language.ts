/** What every page model carries: the reader's language and time zone (views/layout.hbs; frontend/shared/i18n.ts reads them back). */
import type { UserLocale } from '../i18n';

export function pageLanguage(reader: UserLocale) {
  return { reader, lang: reader.locale, timeZone: reader.timeZone };
}
