// Keepsake's languages: the message catalogues (en.ts, de.ts), the reader's locale and time
// zone, sentences and dates in them. Shared by the server's views and the iframes' scripts.
export { en, type Catalogue, type MessageKey } from './en';
export { translator, isMessageKey, type Params, type Translator } from './catalogue';
export { formatDay, formatMoment } from './dates';
export { DEFAULT_LOCALE, DEFAULT_TIME_ZONE, LANGUAGES, languageOf, userLocale, type Language, type UserLocale } from './user-locale';
