// The user's locale and time zone, as Confluence hands them to an iframe: the page load's `loc`
// and `tz` parameters (covered by the page-load JWT's qsh) and, in the iframe, AP.user.getLocale
// and AP.user.getTimeZone (docs/ui.md, "Languages"). Confluence's form of a locale is assumed to
// be either Java's (`de_DE`) or BCP 47 (`de-DE`); both are read. Anything unreadable falls back
// to English and UTC, so a page always renders.

/** The languages Keepsake has a catalogue for; the first is the fallback. */
export const LANGUAGES = ['en', 'de'] as const;
export type Language = (typeof LANGUAGES)[number];

export const DEFAULT_LOCALE = 'en';
export const DEFAULT_TIME_ZONE = 'UTC';

/** Who reads the page: the locale dates and numbers are written for, its language, and the time zone dates are shown in. */
export interface UserLocale {
  /** A canonical BCP 47 tag, e.g. `de-DE`; `en` when none was given or it was unreadable. */
  locale: string;
  language: Language;
  timeZone: string;
}

function canonicalLocale(given: string | undefined): string {
  if (!given) return DEFAULT_LOCALE;
  try {
    return Intl.getCanonicalLocales(given.trim().replace(/_/g, '-'))[0] ?? DEFAULT_LOCALE;
  } catch {
    return DEFAULT_LOCALE;
  }
}

function knownTimeZone(given: string | undefined): string {
  if (!given) return DEFAULT_TIME_ZONE;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: given }).resolvedOptions().timeZone;
  } catch {
    return DEFAULT_TIME_ZONE;
  }
}

/** The language of a locale's catalogue: its primary subtag when Keepsake has one, English otherwise. */
export function languageOf(locale: string): Language {
  const primary = locale.split('-')[0].toLowerCase();
  return (LANGUAGES as readonly string[]).includes(primary) ? (primary as Language) : LANGUAGES[0];
}

/** The reader from what Confluence sent (either may be missing or unreadable). */
export function userLocale(locale: string | undefined, timeZone: string | undefined): UserLocale {
  const canonical = canonicalLocale(locale);
  return { locale: canonical, language: languageOf(canonical), timeZone: knownTimeZone(timeZone) };
}
