// The web panel on every page. Its state is in the HTML already; this script makes the
// controls work, sizes the iframe with AP.resize whenever the panel's size changes, collapses
// it to a thin bar on request (a preference like the others, so it follows the user), and moves
// any legacy AP.cookie values of this browser into the user's preferences.
//
// Changes go to the server one at a time, in the order the user made them, each carrying the
// state the user asked for (not "flip whatever the server has"): a double click on Bookmark is
// bookmark-then-unbookmark, and Hide then Show ends shown. The controls show the user's latest
// choice at once; the server's answer is shown when no newer change is waiting, so an older
// answer never overwrites a newer choice.
import type { CookieMigrationAnswer, PreferencesView, SetName } from '../shared/api-types';
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
}

/** The end of the chain of changes: each one starts when the one before it has ended. */
let queue: Promise<unknown> = Promise.resolve();
/** Changes queued and not yet answered. */
let waiting = 0;

/** Runs `task` after every change queued before it; its outcome is its own (the chain never breaks). */
function inTurn<T>(task: () => Promise<T>): Promise<T> {
  const run = queue.then(task);
  queue = run.catch(() => undefined);
  return run;
}

/** Shows the server's last answer, once no newer change is waiting for its own. */
function showConfirmedIfSettled(): void {
  if (waiting > 0) return;
  showState(root, lastState);
  setCollapsed(lastState.panelCollapsed);
  root.removeAttribute('aria-busy');
}

/** Queues one change; the control is busy until its answer comes. */
function change(control: HTMLElement, action: () => Promise<PreferencesView>, failure: string): void {
  waiting += 1;
  control.setAttribute('aria-busy', 'true');
  root.setAttribute('aria-busy', 'true');
  void inTurn(action)
    .then(
      (view) => {
        lastState = view;
      },
      (error: unknown) => flagError(failure, error),
    )
    .finally(() => {
      waiting -= 1;
      control.removeAttribute('aria-busy');
      showConfirmedIfSettled();
    });
}

for (const button of root.querySelectorAll<HTMLButtonElement>('button[data-set]')) {
  button.addEventListener('click', () => {
    const set = button.dataset.set as SetName;
    // The state the user asks for, from what they see now (their previous click included).
    const want = button.getAttribute('aria-pressed') !== 'true';
    button.setAttribute('aria-pressed', String(want));
    const label = button.querySelector('.ks-toggle-label');
    if (label) label.textContent = (want ? button.dataset.onLabel : button.dataset.offLabel) ?? '';
    change(
      button,
      () => (want ? callApi('POST', `/api/${set}`, { contentId: pageId }) : callApi('DELETE', `/api/${set}/${encodeURIComponent(pageId)}`)),
      set === 'bookmarks' ? 'Keepsake could not change the bookmark' : 'Keepsake could not change the watch',
    );
  });
}

root.addEventListener('change', (event) => {
  const input = event.target as HTMLInputElement;
  if (input.name === 'viewMode') {
    const viewMode = input.value;
    root.dataset.viewMode = viewMode;
    change(input, () => callApi('PATCH', '/api/preferences', { viewMode }), 'Keepsake could not change the view mode');
  } else if (input.dataset.tracking) {
    const patch = { tracking: { [input.dataset.tracking]: input.checked } };
    change(input, () => callApi('PATCH', '/api/preferences', patch), 'Keepsake could not change your tracking choice');
  }
});

collapse.addEventListener('click', () => {
  const collapsed = !body.hidden;
  // At once, then as the server confirms (a failure shows the last confirmed state).
  setCollapsed(collapsed);
  change(collapse, () => callApi('PATCH', '/api/preferences', { panelCollapsed: collapsed }), 'Keepsake could not keep the panel hidden');
});

setCollapsed(lastState.panelCollapsed);
// One observer for every change of size: collapsing, a view mode, a flag-free re-render.
new ResizeObserver(() => fit()).observe(root);

/** The migration's call, in turn with the user's changes; its answer is the server's state then. */
function sendLegacyCookies(cookies: Record<string, string>): Promise<CookieMigrationAnswer> {
  waiting += 1;
  return inTurn(() => callApi<CookieMigrationAnswer>('POST', '/api/migrations/cookies', { cookies }))
    .then((answer) => {
      lastState = answer.preferences;
      return answer;
    })
    .finally(() => {
      waiting -= 1;
      showConfirmedIfSettled();
    });
}

migrateLegacyCookies(sendLegacyCookies).then(
  (answer) => {
    // Tells tests and scripts the migration step is over (there was nothing to do, or it is done).
    root.dataset.migration = answer ? 'done' : 'none';
    if (!answer) return;
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
