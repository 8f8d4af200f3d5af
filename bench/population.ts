// The site a bench run measures, built through the public API: pages with ordinary titles,
// users of typical size (a view mode, tracking, a short profile, 5 bookmarks and 2 watches, as
// test/keepsake/app-property-capacity.test.ts defines them) and users with large sets. Data
// goes in the way a browser's first page view puts it there: the legacy cookie migration
// (docs/legacy-cookies.md), with the page titles in the cookie, so filling a set of 1,000 is a
// few requests rather than 1,000 adds.
import type { EmulatorControl } from './emulator-control';
import { json } from './http-json';
import { inParallel } from './in-parallel';

export interface BenchUser {
  accountId: string;
  token: string;
}

export interface BenchPage {
  id: string;
  title: string;
}

/** The migration's limit for one cookie's value (lib/legacy-cookies/legacy-cookies.ts). */
const MAX_COOKIE_LENGTH = 16_384;
const WORDS =
  'meeting notes retrospective sprint planning roadmap release onboarding guide how to template decision log requirements product design review architecture incident postmortem runbook checklist team goals quarterly api documentation migration plan security policy budget hiring process customer feedback launch testing strategy'.split(
    ' ',
  );

/** A title of 3–7 ordinary words, the same for the same `i`. */
function pageTitle(i: number): string {
  const length = 3 + (i % 5);
  const words = Array.from({ length }, (_, w) => WORDS[(i * 7 + w * 13 + Math.floor(i / 7)) % WORDS.length]);
  return words.join(' ').replace(/^./, (c) => c.toUpperCase());
}

export async function createPages(control: EmulatorControl, count: number): Promise<BenchPage[]> {
  const pages: BenchPage[] = new Array<BenchPage>(count);
  await inParallel(
    Array.from({ length: count }, (_, i) => i),
    8,
    async (i) => {
      const title = pageTitle(i);
      pages[i] = { id: await control.createPage(title), title };
    },
  );
  return pages;
}

export async function createUsers(control: EmulatorControl, count: number, name: string): Promise<BenchUser[]> {
  const users: BenchUser[] = new Array<BenchUser>(count);
  await inParallel(
    Array.from({ length: count }, (_, i) => i),
    16,
    async (i) => {
      const accountId = await control.createUser(`${name} ${i + 1}`);
      users[i] = { accountId, token: await control.contextToken(accountId) };
    },
  );
  return users;
}

export class KeepsakeClient {
  constructor(readonly url: string) {}

  call<T>(user: BenchUser, method: string, path: string, body?: unknown): Promise<T> {
    return json<T>(method, `${this.url}${path}`, body, { Authorization: `JWT ${user.token}` });
  }

  /** Sends cookies as the panel does; every one must be taken whole, or the population is not what the bench says it is. */
  async migrate(user: BenchUser, cookies: Record<string, string>): Promise<void> {
    const answer = await this.call<{ results: { cookie: string; outcome: string; code?: string }[] }>(
      user,
      'POST',
      '/api/migrations/cookies',
      { cookies },
    );
    const refused = answer.results.filter((r) => r.outcome !== 'migrated');
    if (refused.length > 0)
      throw new Error(`cookie migration: ${refused.map((r) => `${r.cookie} ${r.outcome} ${r.code ?? ''}`).join(', ')}`);
  }
}

const entry = (page: BenchPage, at: number) => ({ id: page.id, title: page.title, at });

/** Fills `user`'s bookmarks with `pages`, as many cookie migrations as the cookie size limit takes. */
export async function fillBookmarks(keepsake: KeepsakeClient, user: BenchUser, pages: readonly BenchPage[]): Promise<void> {
  const at = Date.UTC(2026, 0, 1);
  let batch: ReturnType<typeof entry>[] = [];
  const send = async () => {
    if (batch.length > 0) await keepsake.migrate(user, { keepsake_bookmarks: JSON.stringify(batch) });
    batch = [];
  };
  for (const [i, page] of pages.entries()) {
    if (JSON.stringify([...batch, entry(page, at + i * 60_000)]).length > MAX_COOKIE_LENGTH) await send();
    batch.push(entry(page, at + i * 60_000));
  }
  await send();
}

/** A user of typical size: view mode, tracking, a short profile, 5 bookmarks and 2 watches of ordinary pages. */
export async function makeTypical(keepsake: KeepsakeClient, user: BenchUser, seed: number, pages: readonly BenchPage[]): Promise<void> {
  const pick = (k: number) => pages[(seed * 31 + k * 97) % pages.length];
  const at = Date.UTC(2026, seed % 12, 1 + (seed % 28));
  await keepsake.migrate(user, {
    keepsake_view_mode: ['compact', 'focus', 'comfortable'][seed % 3],
    keepsake_tracking: `analytics:${seed % 2},productEmails:${seed % 5 === 0 ? 1 : 0}`,
    keepsake_bookmarks: JSON.stringify([0, 1, 2, 3, 4].map((k) => entry(pick(k), at + k * 3_600_000))),
    keepsake_watches: JSON.stringify([5, 6].map((k) => entry(pick(k), at + k * 3_600_000))),
    keepsake_saved_at: String(at),
  });
  await keepsake.call(user, 'PUT', '/api/profile', {
    pronouns: ['she/her', 'he/him', 'they/them'][seed % 3],
    note: `Ask me about ${pick(7).title.toLowerCase()}`,
  });
}
