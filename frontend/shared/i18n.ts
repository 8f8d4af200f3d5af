// The iframe's reader: the locale and time zone the server rendered the page for (<html lang>
// and data-time-zone, from Confluence's loc and tz), and sentences and dates for them from the
// same catalogues the server used (lib/i18n), so what a script writes matches what was rendered.
import { formatDay, formatMoment, translator, userLocale, type MessageKey } from '../../lib/i18n';
import { ApiError } from './keepsake-api';

export type { MessageKey };

export const reader = userLocale(document.documentElement.lang, document.documentElement.dataset.timeZone);
export const i18n = translator(reader.language);
export const t = i18n.t;
export const plural = i18n.plural;

/** A day in the reader's words and time zone ("1 Mar 2024", "01.03.2024"). */
export const day = (iso: string): string => formatDay(iso, reader);
/** A moment with its zone ("4 December 2026, 21:40 UTC"). */
export const moment = (iso: string): string => formatMoment(iso, reader, i18n);

/** Error codes whose sentence the catalogues carry; Confluence's own failures share one. */
function errorKey(code: string): string {
  return code.startsWith('CONFLUENCE_') ? 'common.error.CONFLUENCE' : `common.error.${code}`;
}

/**
 * What went wrong, for the person: in English the API's own sentence (docs/api.md); in another
 * language the catalogue's sentence for its code, or the general one (the API speaks English only).
 */
export function errorSentence(error: unknown): string {
  if (error instanceof ApiError) {
    if (reader.language === 'en') return error.message;
    return i18n.maybe(errorKey(error.code)) ?? t('common.error.generic');
  }
  return t('common.error.generic');
}
