/**
 * Moving one browser's legacy AP.cookie values into the user's stored preferences: parse,
 * merge (persisted before the answer), record the outcome for the admin's figures, and tell
 * the browser which cookies it may now erase.
 */
import type { Models } from '../database/models';
import { KeepsakeError } from '../errors';
import type { PreferenceService } from '../preferences/preference-service';
import type { PreferencesView } from '../preferences/preference-view';
import type { SiteContext } from '../sites/site-context';
import { MAX_COOKIE_LENGTH, parseLegacyCookies, type CookieResult } from './legacy-cookies';

export interface CookieMigrationResult {
  results: CookieResult[];
  preferences: PreferencesView;
}

export class CookieMigration {
  constructor(
    private readonly models: Models,
    private readonly preferences: PreferenceService,
  ) {}

  async migrate(ctx: SiteContext, accountId: string, cookies: Record<string, string>): Promise<CookieMigrationResult> {
    const tooLong = Object.entries(cookies).filter(([, v]) => v.length > MAX_COOKIE_LENGTH).map(([k]) => k);
    if (tooLong.length > 0) {
      throw new KeepsakeError('PAYLOAD_TOO_LARGE', `Cookie values are limited to ${MAX_COOKIE_LENGTH} characters: ${tooLong.join(', ')}.`, {
        cookies: tooLong,
      });
    }
    const { values, results } = parseLegacyCookies(cookies);
    const preferences = await this.preferences.mergeLegacy(ctx, accountId, values);
    await this.models.cookieMigrations.bulkCreate(
      results
        .filter((r) => r.outcome !== 'ignored')
        .map((r) => ({ clientKey: ctx.site.clientKey, accountId, cookie: r.cookie, outcome: r.outcome, code: r.code ?? '' })),
      { ignoreDuplicates: true },
    );
    return { results, preferences };
  }
}
