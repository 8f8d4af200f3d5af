// The web panel on every page. Its state is in the HTML already; this script makes the
// controls work, sizes the iframe with AP.resize, collapses it to a thin bar on request (a
// preference like the others, so it follows the user), and moves any legacy AP.cookie values
// of this browser into the user's preferences.
import type { PreferencesView, SetName } from '../shared/api-types';
import { flagError, flagNotice } from '../shared/flags';
import { embeddedJson } from '../shared/embedded-json';
import { callApi } from '../shared/keepsake-api';
import { migrateLegacyCookies } from './legacy-cookie-migration';
import { showState } from './panel-state';

const root = document.getElementById('keepsake-panel') as HTMLElement;
const body = document.getElementById('ks-body') as HTMLElement;
const collapse = document.getElementById('ks-collapse') as HTMLButtonElement;
const pageId = root.dataset.pageId ?? '';
/** The last state the server confirmed; a failed change shows it again. */
let lastState = embeddedJson<PreferencesView>('keepsake-state');

function fit(): void {
  AP.resize('100%', `${Math.ceil(root.getBoundingClientRect().height)}px`);
}

function setCollapsed(collapsed: boolean): void {
  body.hidden = collapsed;
  root.classList.toggle('ks-collapsed', collapsed);
  collapse.setAttribute('aria-expanded', String(!collapsed));
  collapse.textContent = collapsed ? 'Show' : 'Hide';
  fit();
}

/** Runs one change; the control is busy meanwhile and the shown state follows the server's answer. */
async function change(control: HTMLElement, action: () => Promise<PreferencesView>, failure: string): Promise<void> {
  control.setAttribute('aria-busy', 'true');
  root.setAttribute('aria-busy', 'true');
  try {
    showState(root, await action());
  } catch (error) {
    showState(root, lastState);
    flagError(failure, error);
  } finally {
    control.removeAttribute('aria-busy');
    root.removeAttribute('aria-busy');
  }
}

function remember(view: PreferencesView): PreferencesView {
  lastState = view;
  return view;
}

for (const button of root.querySelectorAll<HTMLButtonElement>('button[data-set]')) {
  button.addEventListener('click', () => {
    const set = button.dataset.set as SetName;
    const on = button.getAttribute('aria-pressed') === 'true';
    void change(
      button,
      async () => remember(on ? await callApi('DELETE', `/api/${set}/${encodeURIComponent(pageId)}`) : await callApi('POST', `/api/${set}`, { contentId: pageId })),
      set === 'bookmarks' ? 'Keepsake could not change the bookmark' : 'Keepsake could not change the watch',
    );
  });
}

root.addEventListener('change', (event) => {
  const input = event.target as HTMLInputElement;
  if (input.name === 'viewMode') {
    void change(input, async () => remember(await callApi('PATCH', '/api/preferences', { viewMode: input.value })), 'Keepsake could not change the view mode');
  } else if (input.dataset.tracking) {
    const patch = { tracking: { [input.dataset.tracking]: input.checked } };
    void change(input, async () => remember(await callApi('PATCH', '/api/preferences', patch)), 'Keepsake could not change your tracking choice');
  }
});

collapse.addEventListener('click', () => {
  const collapsed = !body.hidden;
  // At once, then as the server confirms (a failure shows the last confirmed state).
  setCollapsed(collapsed);
  void change(collapse, async () => remember(await callApi('PATCH', '/api/preferences', { panelCollapsed: collapsed })), 'Keepsake could not keep the panel hidden').then(
    () => setCollapsed(lastState.panelCollapsed),
  );
});

setCollapsed(lastState.panelCollapsed);

migrateLegacyCookies().then(
  (answer) => {
    // Tells tests and scripts the migration step is over (there was nothing to do, or it is done).
    root.dataset.migration = answer ? 'done' : 'none';
    if (!answer) return;
    showState(root, remember(answer.preferences));
    const problems = answer.results.filter((r) => r.outcome === 'partial' || r.outcome === 'rejected');
    if (problems.length > 0) {
      flagNotice('Some settings from this browser were incomplete', problems.map((p) => `${p.cookie}: ${p.message ?? p.outcome}`).join(' '), 'warning');
    } else {
      flagNotice('Your settings now follow you', 'Keepsake moved the settings this browser kept into your Confluence profile.', 'success');
    }
  },
  (error: unknown) => {
    root.dataset.migration = 'failed';
    flagError('Keepsake could not move this browser’s settings yet', error);
  },
);
