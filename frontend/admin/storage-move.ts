// The storage move on the admin page: while one runs in the background, its progress (a bar
// and "1200 of 5000 users moved"), polled every few seconds; when it stops on a failure, the
// reason and a Retry button; when it finishes, a sentence saying so. The server renders the
// same words first (views/admin.hbs, from the same status): keep the two in step.
import { flagError, flagNotice } from '../shared/flags';
import { i18n, t } from '../shared/i18n';
import { callApi } from '../shared/keepsake-api';
import type { StorageMoveStatus, StorageStatus } from '../shared/api-types';

export type { StorageMoveStatus, StorageStatus };

const POLL_MS = 3000;

/** Where data lives, in the admin's words (routes/iframes.ts names them the same way). */
export function backendName(backend: string): string {
  return i18n.maybe(`admin.backend.${backend}`) ?? backend;
}

/** "Moving every user’s data to app properties: 1200 of 5000 users moved." */
export function progressSentence(move: StorageMoveStatus): string {
  return t('admin.move.progress', { to: backendName(move.to), moved: move.moved, total: move.total });
}

export function failureSentence(move: StorageMoveStatus): string {
  return t('admin.move.failed', { to: backendName(move.to), error: move.error ?? t('admin.move.noReason') });
}

function element<T extends HTMLElement>(id: string): T | null {
  return document.getElementById(id) as T | null;
}

/** Shows where the data lives and the move, if any; starts polling while one runs. */
export function showStorage(storage: StorageStatus): void {
  const detected = element('ks-detected-backend');
  if (detected) detected.textContent = storage.detectedBackend ? backendName(storage.detectedBackend) : t('admin.storage.notDetected');
  const active = element('ks-active-backend');
  if (active) active.textContent = storage.activeBackend ? backendName(storage.activeBackend) : t('admin.storage.noneYet');
  showMove(storage);
}

/** The backend the move on screen goes to, while one is shown: its end is announced once. */
let shownTarget: string | null = null;
let pollTimer: number | undefined;

function showMove(storage: StorageStatus): void {
  const region = element('ks-move');
  if (!region) return;
  const { move } = storage;
  const summary = element('ks-move-summary');
  const progress = element<HTMLProgressElement>('ks-move-progress');
  const error = element('ks-move-error');
  const retry = element<HTMLButtonElement>('ks-move-retry');
  if (!move) {
    if (shownTarget !== null) {
      const sentence = t('admin.move.done', { to: backendName(storage.activeBackend ?? shownTarget) });
      region.dataset.state = 'done';
      if (summary) summary.textContent = sentence;
      if (progress) progress.value = progress.max;
      if (error) error.hidden = true;
      if (retry) retry.hidden = true;
      flagNotice(t('admin.move.doneTitle'), sentence, 'success');
    }
    shownTarget = null;
    stopPolling();
    return;
  }
  shownTarget = move.to;
  region.hidden = false;
  region.dataset.state = move.state;
  if (summary) summary.textContent = progressSentence(move);
  if (progress) {
    progress.max = Math.max(1, move.total);
    progress.value = move.moved;
  }
  if (error) {
    error.hidden = move.state !== 'failed';
    error.textContent = move.state === 'failed' ? failureSentence(move) : '';
  }
  if (retry) retry.hidden = move.state !== 'failed';
  if (move.state === 'moving') startPolling();
  else stopPolling();
}

function startPolling(): void {
  if (pollTimer !== undefined) return;
  pollTimer = window.setTimeout(function poll() {
    callApi<StorageStatus>('GET', '/api/admin/storage').then(
      (storage) => {
        pollTimer = undefined;
        showStorage(storage);
      },
      // A missed poll is not worth a flag: the next one tries again.
      () => (pollTimer = window.setTimeout(poll, POLL_MS)),
    );
  }, POLL_MS);
}

function stopPolling(): void {
  if (pollTimer !== undefined) window.clearTimeout(pollTimer);
  pollTimer = undefined;
}

/** Wires the Retry button, and picks up a move the page was rendered with. */
export function initStorageMove(): void {
  const region = element('ks-move');
  if (region && !region.hidden) {
    shownTarget = region.dataset.to ?? null;
    if (region.dataset.state === 'moving') startPolling();
  }
  const retry = element<HTMLButtonElement>('ks-move-retry');
  retry?.addEventListener('click', () => {
    if (retry.getAttribute('aria-busy') === 'true') return;
    retry.setAttribute('aria-busy', 'true');
    retry.setAttribute('aria-disabled', 'true');
    callApi<{ storage: StorageStatus }>('POST', '/api/admin/storage/move')
      .then(({ storage }) => showStorage(storage))
      .catch((error: unknown) => flagError(t('admin.move.error'), error))
      .finally(() => {
        retry.removeAttribute('aria-busy');
        retry.removeAttribute('aria-disabled');
      });
  });
}
