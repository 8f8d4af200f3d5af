// A person's language and time zone in the emulated site: what may be chosen (a BCP 47 locale,
// an IANA time zone, each checked with Intl), and the form Connect apps receive the locale in.
import { z } from 'zod';

function canonicalLocale(tag: string): string | undefined {
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    return /^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|\d{3}))?$/.test(canonical ?? '') ? canonical : undefined;
  } catch {
    return undefined;
  }
}

function canonicalTimeZone(name: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** A locale such as `de-DE` (also read as `de_DE`), stored in its canonical BCP 47 form. */
export const localeSchema = z.string().transform((tag, check) => {
  const canonical = canonicalLocale(tag.replace(/_/g, '-'));
  if (!canonical) check.addIssue({ code: 'custom', message: 'expected a locale such as en-US or de-DE' });
  return canonical ?? tag;
});

/** An IANA time zone such as `Europe/Berlin`. */
export const timeZoneSchema = z.string().transform((name, check) => {
  const canonical = canonicalTimeZone(name);
  if (!canonical) check.addIssue({ code: 'custom', message: 'expected an IANA time zone such as Europe/Berlin' });
  return canonical ?? name;
});

/**
 * The locale as a Connect app is given it (`loc`, AP.user.getLocale): Java's form, `de_DE`.
 * Assumed: Atlassian does not document the form; draw.io's Confluence Cloud app cuts the value
 * of AP.user.getLocale at `_` (docs/emulator.md, "The user's language and time zone").
 */
export function connectLocale(locale: string): string {
  return locale.replace(/-/g, '_');
}

/** What the host page offers to choose from (any valid value can be set through the control API). */
export const OFFERED_LOCALES: Record<string, string> = {
  'en-US': 'English (United States)',
  'en-GB': 'English (United Kingdom)',
  'en-NZ': 'English (New Zealand)',
  'de-DE': 'Deutsch (Deutschland)',
  'de-AT': 'Deutsch (Österreich)',
  'fr-FR': 'Français (France)',
};
export const OFFERED_TIME_ZONES = [
  'UTC',
  'Europe/London',
  'Europe/Berlin',
  'America/New_York',
  'America/Los_Angeles',
  'Asia/Tokyo',
  'Pacific/Auckland',
];
