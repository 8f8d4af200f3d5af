// Shows a user's preferences in the server-rendered panel: the same controls, updated in
// place after each change (the first state is already in the HTML).
import type { PreferencesView, SetName } from '../shared/api-types';

export function showState(root: HTMLElement, view: PreferencesView): void {
  const pageId = root.dataset.pageId ?? '';
  for (const button of root.querySelectorAll<HTMLButtonElement>('button[data-set]')) {
    const set = button.dataset.set as SetName;
    const on = view[set].some((p) => p.contentId === pageId);
    button.setAttribute('aria-pressed', String(on));
    const label = button.querySelector('.ks-toggle-label');
    if (label) label.textContent = on ? button.dataset.onLabel ?? '' : button.dataset.offLabel ?? '';
  }
  for (const radio of root.querySelectorAll<HTMLInputElement>('input[name="viewMode"]')) radio.checked = radio.value === view.viewMode;
  for (const box of root.querySelectorAll<HTMLInputElement>('input[data-tracking]')) {
    box.checked = view.tracking[box.dataset.tracking as keyof PreferencesView['tracking']] === true;
  }
  root.dataset.viewMode = view.viewMode;
}
