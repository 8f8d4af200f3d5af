// Sentences from the catalogue of the reader's language: `{name}` filled in, plural forms
// picked by Intl.PluralRules. Used by the server's page models (routes/iframes.ts) and by the
// iframes' scripts (frontend/shared/i18n.ts), so both say the same thing in the same words.
import { de } from './de';
import { en, type Catalogue, type MessageKey } from './en';
import type { Language } from './user-locale';

const CATALOGUES: Record<Language, Catalogue> = { en, de };

/** A key with plural forms (`{key}.one`, `{key}.other`). */
export type PluralKey = { [K in MessageKey]: K extends `${infer Stem}.other` ? Stem : never }[MessageKey];

export type Params = Record<string, string | number>;

export interface Translator {
  language: Language;
  /** The sentence, with `{name}` filled in from `params`. */
  t(key: MessageKey, params?: Params): string;
  /** The plural form for `count` (also filled in as `{count}`). */
  plural(key: PluralKey, count: number, params?: Params): string;
  /** The sentence when the key exists, otherwise undefined (keys built from data, e.g. an error code). */
  maybe(key: string, params?: Params): string | undefined;
}

function fill(sentence: string, params: Params | undefined): string {
  if (!params) return sentence;
  return sentence.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}

export function translator(language: Language): Translator {
  const catalogue = CATALOGUES[language];
  const rules = new Intl.PluralRules(language);
  const t = (key: MessageKey, params?: Params) => fill(catalogue[key], params);
  return {
    language,
    t,
    plural: (key, count, params) => {
      const form = rules.select(count) === 'one' ? 'one' : 'other';
      return t(`${key}.${form}` as MessageKey, { ...params, count });
    },
    maybe: (key, params) => (isMessageKey(key) ? t(key, params) : undefined),
  };
}
