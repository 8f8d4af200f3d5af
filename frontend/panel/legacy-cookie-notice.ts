// What the panel tells the person after moving this browser's legacy values, in their words:
// what now follows them, what was left in the browser because Keepsake could not read it, and
// what an older version had already cut short. The server's per-cookie messages are for
// support and the API; these sentences are for the person (docs/legacy-cookies.md).
import type { CookieMigrationAnswer, CookieResult } from '../shared/api-types';
import { isMessageKey } from '../../lib/i18n';
import { plural, reader, t } from '../shared/i18n';
import { leftUnread } from './legacy-cookie-migration';

export interface MigrationNotice {
  title: string;
  body: string;
  type: 'success' | 'info' | 'warning';
}

/** Each legacy value as the person knew it (`migration.thing.{cookie}` in the catalogues). */
function whatItIs(cookie: string): string {
  const key = `migration.thing.${cookie}`;
  return isMessageKey(key) ? t(key) : cookie;
}

function things(results: CookieResult[]): string {
  const names = results.map((r) => whatItIs(r.cookie));
  return names.length === 1 ? names[0] : t('migration.list.and', { first: names.slice(0, -1).join(', '), last: names[names.length - 1] });
}

export function migrationNotice(answer: CookieMigrationAnswer): MigrationNotice {
  const unread = answer.results.filter((r) => leftUnread(r) && r.outcome === 'rejected');
  const partlyUnread = answer.results.filter((r) => leftUnread(r) && r.outcome === 'partial');
  const cutShort = answer.results.filter((r) => r.erase && r.code === 'TRUNCATED');
  const full = answer.results.filter((r) => r.code === 'LIMIT_REACHED');
  // The date of the last save only dates the others: moving it alone moves no setting.
  const moved = answer.results.some((r) => (r.outcome === 'migrated' || r.outcome === 'partial') && r.cookie !== 'keepsake_saved_at');

  const sentences: string[] = [];
  if (unread.length > 0) {
    sentences.push(plural('migration.unread', unread.length, { things: things(unread) }));
  }
  if (partlyUnread.length > 0) {
    sentences.push(plural('migration.partlyUnread', partlyUnread.length, { things: things(partlyUnread) }));
  }
  if (cutShort.length > 0) {
    sentences.push(t('migration.cutShort', { things: things(cutShort) }));
  }
  // The server's sentence names the list; it speaks English only (docs/api.md), so other languages say it in general.
  for (const result of full) sentences.push((reader.language === 'en' ? result.message : undefined) ?? t('migration.full'));

  if (sentences.length === 0) {
    return { title: t('migration.done.title'), body: t('migration.done.body'), type: 'success' };
  }
  return {
    title: moved ? t('migration.mostly.title') : t('migration.left.title'),
    body: sentences.join(' '),
    // Nothing was lost by what Keepsake did: calm, unless an older version had lost something or a list is full.
    type: cutShort.length > 0 || full.length > 0 ? 'warning' : 'info',
  };
}
