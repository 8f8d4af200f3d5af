/**
 * The one mapping of an error to what a person reads on a page that could not be shown
 * (views/unavailable.hbs); API callers get the same error as JSON (routes/error-handler.ts).
 */
import { translator, type MessageKey, type UserLocale } from '../i18n';
import type { KeepsakeError } from '../errors';
import { pageLanguage } from './page-language';

export function failurePage(known: KeepsakeError | undefined, reader: UserLocale) {
  const i18n = translator(reader.language);
  return { ...pageLanguage(reader), title: i18n.t('common.keepsake'), message: i18n.t(failureMessage(known)) };
}

function failureMessage(known: KeepsakeError | undefined): MessageKey {
  if (known?.code.startsWith('CONFLUENCE_')) return 'failure.confluence';
  if (known?.code === 'UNAUTHENTICATED') return 'failure.unauthenticated';
  return 'failure.other';
}
