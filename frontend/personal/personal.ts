// "My Keepsake": the user's bookmarks and watches from every browser, each a link that moves
// Confluence (AP.navigator) to the page, with a remove button; the profile card editor; and the
// user's own data: a download of all of it, and its erasure after a confirmation step.
// The first page of each list is in the HTML already; "Show more" fetches the next (set-list.ts).
import type { PreferencesSummary, SetChange, SetName } from '../shared/api-types';
import { flagError, flagNotice } from '../shared/flags';
import { t } from '../shared/i18n';
import { fitToContent } from '../shared/fit-to-content';
import { callApi } from '../shared/keepsake-api';
import { followConfluenceTheme } from '../shared/theming';
import { enableShowMore, showCount } from './set-list';

followConfluenceTheme();

enableShowMore();
// The iframe grows with the lists ("Show more") and the confirmation: the host page scrolls, not the iframe.
fitToContent(document.body);

document.addEventListener('click', (event) => {
  const target = event.target as HTMLElement;
  const link = target.closest<HTMLAnchorElement>('a[data-content-id]');
  if (link) {
    // Ctrl/Cmd/Shift/Alt or a button other than the main one: the browser's own (a new tab…).
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    AP.navigator.go('contentview', { contentId: link.dataset.contentId });
    return;
  }
  const remove = target.closest<HTMLButtonElement>('button[data-remove]');
  if (!remove) return;
  const set = remove.dataset.remove as SetName;
  const contentId = remove.dataset.contentId ?? '';
  remove.disabled = true;
  callApi<SetChange>('DELETE', `/api/${set}/${encodeURIComponent(contentId)}`).then(
    (answer) => {
      remove.closest('li')?.remove();
      showCount(set, set === 'bookmarks' ? answer.bookmarkCount : answer.watchCount);
      document.getElementById(`ks-${set}-heading`)?.focus();
    },
    (error: unknown) => {
      remove.disabled = false;
      flagError(t('personal.error.remove'), error);
    },
  );
});

const form = document.getElementById('ks-profile-form') as HTMLFormElement | null;
form?.addEventListener('submit', (event) => {
  event.preventDefault();
  const profile: Record<string, string> = {};
  for (const field of form.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('[data-profile-field]')) {
    if (field.value.trim() !== '') profile[field.name] = field.value.trim();
  }
  const save = form.querySelector<HTMLButtonElement>('button[type="submit"]');
  if (save) save.disabled = true;
  callApi<PreferencesSummary>('PUT', '/api/profile', profile)
    .then(
      () => flagNotice(t('personal.card.saved'), t('personal.card.savedBody'), 'success'),
      (error: unknown) => flagError(t('personal.error.save'), error),
    )
    .finally(() => {
      if (save) save.disabled = false;
    });
});

const download = document.getElementById('ks-download') as HTMLButtonElement | null;
download?.addEventListener('click', () => {
  download.disabled = true;
  callApi<unknown>('GET', '/api/me/export')
    .then(
      (data) => {
        const link = document.createElement('a');
        link.href = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
        link.download = 'keepsake-my-data.json';
        link.click();
        setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
      },
      (error: unknown) => flagError(t('personal.error.download'), error),
    )
    .finally(() => {
      download.disabled = false;
    });
});

const askDelete = document.getElementById('ks-delete') as HTMLButtonElement | null;
const confirmPanel = document.getElementById('ks-delete-confirm');
const confirmDelete = document.getElementById('ks-delete-confirmed') as HTMLButtonElement | null;
function showConfirmation(shown: boolean): void {
  if (!confirmPanel || !askDelete) return;
  confirmPanel.hidden = !shown;
  askDelete.setAttribute('aria-expanded', String(shown));
  (shown ? confirmDelete : askDelete)?.focus();
}
askDelete?.addEventListener('click', () => showConfirmation(true));
document.getElementById('ks-delete-cancel')?.addEventListener('click', () => showConfirmation(false));
confirmDelete?.addEventListener('click', () => {
  confirmDelete.disabled = true;
  callApi<unknown>('DELETE', '/api/me').then(
    // The page is rendered by the server: a reload shows Keepsake as for a new user.
    () => window.location.reload(),
    (error: unknown) => {
      confirmDelete.disabled = false;
      flagError(t('personal.error.delete'), error);
    },
  );
});
