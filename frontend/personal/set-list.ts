// My Keepsake's lists of bookmarks and watches, a page at a time: the server renders the first
// page of each; "Show more" fetches the next one (GET /api/{set}?cursor=) and appends its
// entries, built the way views/personal.hbs renders them. The cursor names the last entry
// shown, so removing entries meanwhile (here or in another tab) neither repeats nor skips any.
import type { PageRef, SetName, SetPage } from '../shared/api-types';
import { flagError } from '../shared/flags';
import { day, t } from '../shared/i18n';
import { callApi } from '../shared/keepsake-api';

/** Entries fetched per "Show more". */
const PAGE_SIZE = 50;

/** Shows a set's count in its heading, and the empty-set note when it holds nothing. */
export function showCount(set: SetName, count: number): void {
  const counter = document.getElementById(`ks-${set}-count`);
  if (counter) counter.textContent = String(count);
  const empty = document.getElementById(`ks-${set}-empty`);
  if (empty) empty.hidden = count > 0;
}

function entry(set: SetName, page: PageRef, pageUrl: string): HTMLLIElement {
  const title = page.title || t('personal.untitled', { id: page.contentId });
  const item = document.createElement('li');
  const link = document.createElement('a');
  link.href = pageUrl + encodeURIComponent(page.contentId);
  link.target = '_top';
  link.dataset.contentId = page.contentId;
  link.textContent = title;
  item.append(link, ' ');
  if (page.addedAt) {
    const time = document.createElement('time');
    time.dateTime = page.addedAt;
    time.textContent = t('personal.added', { date: day(page.addedAt) });
    item.append(time, ' ');
  }
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.dataset.remove = set;
  remove.dataset.contentId = page.contentId;
  remove.setAttribute('aria-label', t(set === 'bookmarks' ? 'personal.bookmarks.remove' : 'personal.watches.remove', { title }));
  remove.textContent = t('personal.remove');
  item.append(remove);
  return item;
}

/** Appends the next page of the set; focus moves to the first new link, so keyboard users carry on from there. */
async function showMore(button: HTMLButtonElement): Promise<void> {
  const set = button.dataset.more as SetName;
  const list = document.getElementById(`ks-${set}`);
  if (!list) return;
  const query = new URLSearchParams({ cursor: button.dataset.cursor ?? '', limit: String(PAGE_SIZE) });
  const page = await callApi<SetPage>('GET', `/api/${set}?${query.toString()}`);
  const items = page.items.map((p) => entry(set, p, list.dataset.pageUrl ?? ''));
  list.append(...items);
  showCount(set, page.total);
  button.dataset.cursor = page.nextCursor ?? '';
  button.hidden = page.nextCursor === null;
  items[0]?.querySelector('a')?.focus();
}

export function enableShowMore(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-more]')) {
    button.addEventListener('click', () => {
      button.setAttribute('aria-busy', 'true');
      button.disabled = true;
      showMore(button)
        .catch((error: unknown) => flagError(t('personal.error.more'), error))
        .finally(() => {
          button.removeAttribute('aria-busy');
          button.disabled = false;
        });
    });
  }
}
