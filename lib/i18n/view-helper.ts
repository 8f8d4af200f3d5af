// `{{t "key" name=value}}` in the handlebars views: the sentence in the reader's language, the
// language being the page model's `reader` (routes/iframes.ts). A key the catalogue lacks stops
// the render (the page fails instead of showing a blank where a sentence belongs).
import { isMessageKey, translator } from './catalogue';
import type { UserLocale } from './user-locale';

/** What handlebars hands a helper: the named arguments, and the page model as data.root. */
export interface HelperOptions {
  hash?: Record<string, string | number>;
  data?: { root?: { reader?: UserLocale } };
}

export function translateInView(key: unknown, options: HelperOptions): string {
  if (typeof key !== 'string' || !isMessageKey(key)) throw new Error(`No message ${String(key)} in the catalogues`);
  return translator(options.data?.root?.reader?.language ?? 'en').t(key, options.hash);
}
