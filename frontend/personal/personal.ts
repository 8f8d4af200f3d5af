// "My Keepsake": the user's bookmarks and watches from every browser, each a link that moves
// Confluence (AP.navigator) to the page, with a remove button; and the profile card editor.
// Everything shown is in the HTML already.
import type { PreferencesView, SetName } from '../shared/api-types';
import { flagError, flagNotice } from '../shared/flags';
import { callApi } from '../shared/keepsake-api';

function showCount(set: SetName, count: number): void {
  const counter = document.getElementById(`ks-${set}-count`);
  if (counter) counter.textContent = String(count);
  const empty = document.getElementById(`ks-${set}-empty`);
  if (empty) empty.hidden = count > 0;
}

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
  callApi<PreferencesView>('DELETE', `/api/${set}/${encodeURIComponent(contentId)}`).then(
    (view) => {
      remove.closest('li')?.remove();
      showCount(set, view[set].length);
      document.getElementById(`ks-${set}-heading`)?.focus();
    },
    (error: unknown) => {
      remove.disabled = false;
      flagError('Keepsake could not remove that page', error);
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
  callApi<PreferencesView>('PUT', '/api/profile', profile).then(
    () => flagNotice('Profile card saved', 'Others see the public fields beside pages you wrote.', 'success'),
    (error: unknown) => flagError('Keepsake could not save your profile card', error),
  ).finally(() => {
    if (save) save.disabled = false;
  });
});
