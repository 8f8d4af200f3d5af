/**
 * Moving one browser's legacy AP.cookie values into the user's stored preferences: parse,
 * merge (persisted before the answer), record the outcome for the admin's figures, and tell
 * the browser which cookies it may now erase.
 */
import type { Models } from '../database/models';
import { KeepsakeError } from '../errors';
import type { PreferenceService } from '../preferences/preference-service';
import type { SiteContext } from '../sites/site-context';
import { getPageFor } from '../confluence/pages';
import type { SiteStorage } from '../storage/site-storage';
import { MAX_SET_SIZE } from '../preferences/schema';
import type { CookieMigrationAnswer } from '../api/answers';
import { LEGACY_COOKIES } from './legacy-cookie-names';
import { MAX_COOKIE_LENGTH, MAX_COOKIES_TOTAL_LENGTH, parseLegacyCookies, type LegacyValues } from './legacy-cookies';

const MAX_TITLE_LOOKUPS = 50;

/** What a browser's legacy cookies became, and the user's preferences now (the API's CookieMigrationAnswer). */
export type CookieMigrationResult = CookieMigrationAnswer;

export class CookieMigration {
  constructor(
    private readonly models: Models,
    private readonly preferences: PreferenceService,
    private readonly storage: SiteStorage,
  ) {}

  async migrate(ctx: SiteContext, accountId: string, cookies: Record<string, string>): Promise<CookieMigrationResult> {
    // Refused whole, before any parsing: nothing is migrated, so the browser erases nothing.
    const tooLong = Object.entries(cookies)
      .filter(([, v]) => v.length > MAX_COOKIE_LENGTH)
      .map(([k]) => k);
    if (tooLong.length > 0) {
      throw new KeepsakeError('PAYLOAD_TOO_LARGE', `Cookie values are limited to ${MAX_COOKIE_LENGTH} characters: ${tooLong.join(', ')}.`, {
        cookies: tooLong,
        limit: MAX_COOKIE_LENGTH,
      });
    }
    const total = Object.values(cookies).reduce((sum, v) => sum + v.length, 0);
    if (total > MAX_COOKIES_TOTAL_LENGTH) {
      throw new KeepsakeError(
        'PAYLOAD_TOO_LARGE',
        `Cookie values are limited to ${MAX_COOKIES_TOTAL_LENGTH} characters together; these have ${total}.`,
        {
          totalLength: total,
          limit: MAX_COOKIES_TOTAL_LENGTH,
        },
      );
    }
    const { values, results } = parseLegacyCookies(cookies);
    await this.fillTitles(ctx, accountId, values);
    const { view: preferences, overflow } = await this.preferences.mergeLegacy(ctx, accountId, values);
    for (const set of overflow) {
      const cookie = set === 'bookmarks' ? LEGACY_COOKIES.bookmarks : LEGACY_COOKIES.watches;
      const result = results.find((r) => r.cookie === cookie);
      if (!result) continue;
      // The set is full: what did not fit is only in this cookie, so it must stay.
      Object.assign(result, {
        outcome: 'partial',
        erase: false,
        code: 'LIMIT_REACHED',
        message: `You keep ${MAX_SET_SIZE} ${set}, the most Keepsake holds; this browser has more. Remove some in My Keepsake and the rest will follow.`,
      });
    }
    await this.models.cookieMigrations.bulkCreate(
      results
        .filter((r) => r.outcome !== 'ignored')
        .map((r) => ({ clientKey: ctx.site.clientKey, accountId, cookie: r.cookie, outcome: r.outcome, code: r.code ?? '' })),
      { ignoreDuplicates: true },
    );
    return { results, preferences };
  }

  /**
   * The oldest cookies kept bare page ids: their titles are read from Confluence now (as the
   * user would see them), at most MAX_TITLE_LOOKUPS a call. A page that cannot be read keeps
   * its entry without a title: it is the user's, and nothing is dropped.
   */
  private async fillTitles(ctx: SiteContext, accountId: string, values: LegacyValues): Promise<void> {
    const untitled = [...(values.bookmarks ?? []), ...(values.watches ?? [])].filter((p) => !p.title);
    const ids = [...new Set(untitled.map((p) => p.contentId))].slice(0, MAX_TITLE_LOOKUPS);
    if (ids.length === 0) return;
    const acting = this.storage.onBehalfOf(ctx, accountId);
    const titles = new Map(
      await Promise.all(
        ids.map(
          async (id) =>
            [
              id,
              await getPageFor(ctx.confluence, id, accountId, acting).then(
                (p) => p.title,
                () => '',
              ),
            ] as const,
        ),
      ),
    );
    for (const page of untitled) page.title = titles.get(page.contentId) ?? '';
  }
}
