// The web panel on every page. Its state (only what it shows) is in the HTML already; this script makes the
// controls work, sizes the iframe with AP.resize whenever the panel's size changes, collapses
// it to a thin bar on request (a preference like the others, so it follows the user), and moves
// any legacy AP.cookie values of this browser into the user's preferences.
//
// Changes go to the server one at a time, in the order the user made them, each carrying the
// state the user asked for (not "flip whatever the server has"): a double click on Bookmark is
// bookmark-then-unbookmark, and Hide then Show ends shown. The controls show the user's latest
// choice at once; the server's answer is shown when no newer change is waiting, so an older
// answer never overwrites a newer choice.
import type { CookieMigrationAnswer, PanelState, PreferencesSummary, SetChange, SetName } from '../shared/api-types';
import { flagError, flagNotice } from '../shared/flags';
import { t } from '../shared/i18n';
import { embeddedJson } from '../shared/embedded-json';
import { fitToContent } from '../shared/fit-to-content';
import { callApi } from '../shared/keepsake-api';
import { followConfluenceTheme } from '../shared/theming';
import { migrateLegacyCookies } from './legacy-cookie-migration';
import { migrationNotice } from './legacy-cookie-notice';
import { panelState } from '../../lib/preferences/panel-state';
import { afterAnswer, showState } from './panel-state';

followConfluenceTheme();

const root = document.getElementById('keepsake-panel') as HTMLElement;
const body = document.getElementById('ks-body') as HTMLElement;
const collapse = document.getElementById('ks-collapse') as HTMLButtonElement;
const pageId = root.dataset.pageId ?? '';
/** The last state the server confirmed; a failed change shows it again. */
let lastState = embeddedJson<PanelState>('keepsake-state');

function setCollapsed(collapsed: boolean): void {
  body.hidden = collapsed;
  root.classList.toggle('ks-collapsed', collapsed);
  collapse.setAttribute('aria-expanded', String(!collapsed));
  collapse.textContent = collapsed ? t('panel.show') : t('panel.hide');
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
function change(control: HTMLElement, action: () => Promise<PreferencesSummary | SetChange>, failure: string): void {
  waiting += 1;
  control.setAttribute('aria-busy', 'true');
  root.setAttribute('aria-busy', 'true');
  void inTurn(action)
    .then(
      (answer) => {
        lastState = afterAnswer(lastState, answer);
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
      () =>
        want
          ? callApi<SetChange>('POST', `/api/${set}`, { contentId: pageId })
          : callApi<SetChange>('DELETE', `/api/${set}/${encodeURIComponent(pageId)}`),
      set === 'bookmarks' ? t('panel.error.bookmark') : t('panel.error.watch'),
    );
  });
}

root.addEventListener('change', (event) => {
  const input = event.target as HTMLInputElement;
  if (input.name === 'viewMode') {
    const viewMode = input.value;
    root.dataset.viewMode = viewMode;
    change(input, () => callApi<PreferencesSummary>('PATCH', '/api/preferences', { viewMode }), t('panel.error.viewMode'));
  } else if (input.dataset.tracking) {
    const patch = { tracking: { [input.dataset.tracking]: input.checked } };
    change(input, () => callApi<PreferencesSummary>('PATCH', '/api/preferences', patch), t('panel.error.tracking'));
  }
});

collapse.addEventListener('click', () => {
  const collapsed = !body.hidden;
  // At once, then as the server confirms (a failure shows the last confirmed state).
  setCollapsed(collapsed);
  change(
    collapse,
    () => callApi<PreferencesSummary>('PATCH', '/api/preferences', { panelCollapsed: collapsed }),
    t('panel.error.collapse'),
  );
});

setCollapsed(lastState.panelCollapsed);
// Every change of size resizes the iframe: collapsing, a view mode, the card.
fitToContent(root);

// "Add a public card in My Keepsake": Confluence moves to the page (a plain link without script).
root.querySelector<HTMLAnchorElement>('a[data-module-key]')?.addEventListener('click', (event) => {
  if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
  const link = event.currentTarget as HTMLAnchorElement;
  event.preventDefault();
  AP.navigator.go('addonModule', { addonKey: link.dataset.addonKey, moduleKey: link.dataset.moduleKey });
});

/** The migration's call, in turn with the user's changes; its answer is the server's state then. */
function sendLegacyCookies(cookies: Record<string, string>): Promise<CookieMigrationAnswer> {
  waiting += 1;
  return inTurn(() => callApi<CookieMigrationAnswer>('POST', '/api/migrations/cookies', { cookies }))
    .then((answer) => {
      lastState = panelState(answer.preferences, pageId);
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
    const notice = migrationNotice(answer);
    flagNotice(notice.title, notice.body, notice.type);
  },
  (error: unknown) => {
    root.dataset.migration = 'failed';
    flagError(t('panel.error.migration'), error);
  },
);
