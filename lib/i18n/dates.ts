// Dates as the reader writes them, in their time zone (Intl.DateTimeFormat with the user's
// locale and time zone). The server renders them first; the scripts write new ones the same way.
import type { Translator } from './catalogue';
import type { UserLocale } from './user-locale';

/** A day: "1 Mar 2024" (en-GB), "Mar 1, 2024" (en-US), "01.03.2024" (de-DE), in the reader's time zone. */
export function formatDay(iso: string, reader: UserLocale): string {
  return new Intl.DateTimeFormat(reader.locale, { dateStyle: 'medium', timeZone: reader.timeZone }).format(new Date(iso));
}

/** A moment with its zone: "4 December 2026, 21:40 UTC" (en-GB in UTC), "5. Dezember 2026, 10:40 GMT+13" (de-DE in Auckland). */
export function formatMoment(iso: string, reader: UserLocale, i18n: Translator): string {
  const at = new Date(iso);
  const date = new Intl.DateTimeFormat(reader.locale, { dateStyle: 'long', timeZone: reader.timeZone }).format(at);
  const time = new Intl.DateTimeFormat(reader.locale, { timeStyle: 'short', timeZone: reader.timeZone }).format(at);
  const zone =
    new Intl.DateTimeFormat(reader.locale, { timeZoneName: 'short', timeZone: reader.timeZone })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value ?? reader.timeZone;
  return i18n.t('date.moment', { date, time, zone });
}
