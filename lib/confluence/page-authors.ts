/**
 * Who wrote a page, and their display name, for the author card of the panel that opens with
 * every page view. Asking Confluence each time would cost two calls per view, so answers are
 * kept in memory: a page's author never changes, and a display name may be a little old —
 * until Atlassian reports the account closed or changed (AccountReporting), when every
 * instance forgets what it kept of it, through the change feed.
 */
import type { ChangeFeed } from '../database/change-feed';
import { LruMap } from '../memory/lru-map';
import { systemClock, type Clock } from '../time/clock';
import { AS_APP, type ConfluenceClient } from './client';
import { getPage } from './pages';
import { userReply } from './replies';

export interface PageAuthor {
  accountId: string;
  displayName: string;
}

/** How long a display name is reused before Confluence is asked again. */
export const DISPLAY_NAME_MAX_AGE_MS = 10 * 60 * 1000;
/** The feed's key for "forget this account", apart from the preference cache's `clientKey accountId`. */
const FORGET = 'forget-account ';

export class PageAuthors {
  private readonly authors = new LruMap<string, string | null>(50_000);
  private readonly names = new LruMap<string, { name: string; until: number }>(50_000);

  constructor(
    private readonly nameMaxAgeMs: number,
    private readonly clock: Clock = systemClock,
    /** Carries forgetting to the other instances; without one, this instance is the only one. */
    private readonly feed?: ChangeFeed,
  ) {
    feed?.subscribe((key) => {
      // Changes may have been missed: nothing kept can be trusted to be current.
      if (key === undefined) {
        this.authors.clear();
        this.names.clear();
      } else if (key.startsWith(FORGET)) {
        const [clientKey, accountId] = key.slice(FORGET.length).split(' ');
        this.forgetHere(clientKey, accountId);
      }
    });
  }

  /** The page's author, or undefined when Confluence names none. */
  async of(confluence: ConfluenceClient, pageId: string): Promise<PageAuthor | undefined> {
    const pageKey = `${confluence.clientKey} ${pageId}`;
    let accountId = this.authors.get(pageKey);
    if (accountId === undefined) {
      accountId = (await getPage(confluence, pageId, AS_APP)).authorAccountId ?? null;
      if (this.keeping) this.authors.set(pageKey, accountId);
    }
    if (accountId === null) return undefined;
    return { accountId, displayName: await this.displayName(confluence, accountId) };
  }

  /**
   * Forgets the account's display name and the pages it is kept as the author of, here and on
   * every instance: for a closed account (nothing of it stays) and a changed one (its name is
   * asked again). Pages go too, so that no page leads back to a closed account without asking.
   */
  async forget(clientKey: string, accountId: string): Promise<void> {
    this.forgetHere(clientKey, accountId);
    await this.feed?.publish(`${FORGET}${clientKey} ${accountId}`);
  }

  private forgetHere(clientKey: string, accountId: string): void {
    this.names.delete(nameKey(clientKey, accountId));
    this.authors.deleteWhere((page, author) => author === accountId && page.startsWith(`${clientKey} `));
  }

  /** While the feed is down another instance's forgetting would not arrive: keep nothing new. */
  private get keeping(): boolean {
    return this.feed?.live ?? true;
  }

  private async displayName(confluence: ConfluenceClient, accountId: string): Promise<string> {
    const key = nameKey(confluence.clientKey, accountId);
    const known = this.names.get(key);
    if (known && known.until > this.clock.now().getTime()) return known.name;
    const reply = await confluence.send({
      method: 'GET',
      path: `/rest/api/user?accountId=${encodeURIComponent(accountId)}`,
      acting: AS_APP,
    });
    // A name is a nicety on the card: a reply without one shows none, rather than failing the page.
    const parsed = reply.status === 200 ? userReply.safeParse(reply.body) : undefined;
    const name = parsed?.success ? (parsed.data.displayName ?? '') : '';
    if (reply.status === 200 && this.keeping) this.names.set(key, { name, until: this.clock.now().getTime() + this.nameMaxAgeMs });
    return name;
  }
}

function nameKey(clientKey: string, accountId: string): string {
  return `${clientKey} ${accountId}`;
}
