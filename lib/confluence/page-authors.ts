/**
 * Who wrote a page, and their display name, for the author card of the panel that opens with
 * every page view. Asking Confluence each time would cost two calls per view, so answers are
 * kept in memory: a page's author never changes, and a display name may be a little old.
 */
import { LruMap } from '../memory/lru-map';
import { AS_APP, type ConfluenceClient } from './client';
import { getPage } from './pages';

export interface PageAuthor {
  accountId: string;
  displayName: string;
}

export class PageAuthors {
  private readonly authors = new LruMap<string, string | null>(50_000);
  private readonly names = new LruMap<string, { name: string; until: number }>(50_000);

  constructor(private readonly nameMaxAgeMs: number) {}

  /** The page's author, or undefined when Confluence names none. */
  async of(confluence: ConfluenceClient, pageId: string): Promise<PageAuthor | undefined> {
    const pageKey = `${confluence.clientKey} ${pageId}`;
    let accountId = this.authors.get(pageKey);
    if (accountId === undefined) {
      accountId = (await getPage(confluence, pageId, AS_APP)).authorAccountId ?? null;
      this.authors.set(pageKey, accountId);
    }
    if (accountId === null) return undefined;
    return { accountId, displayName: await this.displayName(confluence, accountId) };
  }

  private async displayName(confluence: ConfluenceClient, accountId: string): Promise<string> {
    const key = `${confluence.clientKey} ${accountId}`;
    const known = this.names.get(key);
    if (known && known.until > Date.now()) return known.name;
    const reply = await confluence.send({ method: 'GET', path: `/rest/api/user?accountId=${encodeURIComponent(accountId)}`, acting: AS_APP });
    const name = reply.status === 200 ? String((reply.body as { displayName?: unknown }).displayName ?? '') : '';
    if (reply.status === 200) this.names.set(key, { name, until: Date.now() + this.nameMaxAgeMs });
    return name;
  }
}
