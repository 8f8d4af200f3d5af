// The admin configuration page: saves the site's settings (storage mode, defaults for new
// users, profile fields, acting as the user), follows a storage move as it runs, refreshes the
// migration figures and runs the personal-data reporting cycle now. The page arrives filled
// in; only a save, a refresh, a run or a move under way calls the API.
import { flagError, flagNotice } from '../shared/flags';
import { t } from '../shared/i18n';
import { fitToContent } from '../shared/fit-to-content';
import type { AdminStats, CycleOutcome, StorageStatus } from '../shared/api-types';
import { callApi } from '../shared/keepsake-api';
import { followConfluenceTheme } from '../shared/theming';
import { showMigrationStats } from './migration-stats';
import { doneSentence, pausedSentence, showPersonalData } from './personal-data';
import { initStorageMove, showStorage } from './storage-move';

followConfluenceTheme();

const form = document.getElementById('ks-settings-form') as HTMLFormElement;
// The page is as tall as its content: the host page scrolls, not the iframe as well.
fitToContent(document.body);

function checked(name: string): boolean {
  return (form.elements.namedItem(name) as HTMLInputElement).checked;
}

function value(name: string): string {
  return (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement).value;
}

function settingsFromForm(): object {
  const profileFields: Record<string, { enabled: boolean; public: boolean }> = {};
  for (const row of form.querySelectorAll<HTMLElement>('[data-profile-field]')) {
    const field = row.dataset.profileField as string;
    profileFields[field] = { enabled: checked(`field-${field}-enabled`), public: checked(`field-${field}-public`) };
  }
  return {
    mode: value('mode'),
    defaults: {
      viewMode: value('defaultViewMode'),
      tracking: { analytics: checked('defaultAnalytics'), productEmails: checked('defaultProductEmails') },
    },
    profileFields,
    actAsUser: checked('actAsUser'),
  };
}

// A field nobody can fill in cannot be public: its Public box is off limits until it is enabled again
// (what it says is kept, and applies once the field is enabled).
form.addEventListener('change', (event) => {
  const box = event.target as HTMLInputElement;
  const field = box.closest<HTMLElement>('[data-profile-field]')?.dataset.profileField;
  if (!field || box.name !== `field-${field}-enabled`) return;
  const publicBox = form.elements.namedItem(`field-${field}-public`) as HTMLInputElement | null;
  if (publicBox) publicBox.disabled = !box.checked;
});

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const save = form.querySelector<HTMLButtonElement>('button[type="submit"]');
  if (save) save.disabled = true;
  callApi<{ storage: StorageStatus }>('PUT', '/api/admin/settings', settingsFromForm())
    .then(
      ({ storage }) => {
        showStorage(storage);
        if (storage.move?.state === 'moving') {
          flagNotice(t('admin.saved'), t('admin.saved.moving'), 'success');
        } else {
          flagNotice(t('admin.saved'), t('admin.saved.body'), 'success');
        }
      },
      (error: unknown) => flagError(t('admin.error.save'), error),
    )
    .finally(() => {
      if (save) save.disabled = false;
    });
});

initStorageMove();

function showStats(stats: AdminStats): void {
  showMigrationStats(stats);
  showStorage(stats.storage);
  showPersonalData(stats.personalData);
}

document.getElementById('ks-refresh-stats')?.addEventListener('click', () => {
  callApi<AdminStats>('GET', '/api/admin/stats').then(showStats, (error: unknown) => flagError(t('admin.error.figures'), error));
});

// "Run now": the site's reporting cycle at once (a paused one resumes). The button stays
// focusable while it runs (aria-busy, aria-disabled), so a keyboard user keeps their place.
const runNow = document.getElementById('ks-pd-run') as HTMLButtonElement | null;
runNow?.addEventListener('click', () => {
  if (runNow.getAttribute('aria-busy') === 'true') return;
  runNow.setAttribute('aria-busy', 'true');
  runNow.setAttribute('aria-disabled', 'true');
  callApi<CycleOutcome>('POST', '/api/admin/personal-data/report')
    .then(async (outcome) => {
      showPersonalData(outcome);
      if (outcome.state === 'done') flagNotice(t('admin.pd.doneTitle'), doneSentence(outcome), 'success');
      else if (outcome.state === 'paused') flagNotice(t('admin.pd.pausedTitle'), pausedSentence(outcome.pausedBecause), 'warning');
      else if (outcome.state === 'busy') flagNotice(t('admin.pd.busyTitle'), t('admin.pd.busy'));
      else flagNotice(t('admin.pd.notDueTitle'), t('admin.pd.notDue'));
      // The last cycle's time comes only with the stats; the rest is already shown.
      await callApi<AdminStats>('GET', '/api/admin/stats').then(showStats, () => undefined);
    })
    .catch((error: unknown) => flagError(t('admin.pd.error'), error))
    .finally(() => {
      runNow.removeAttribute('aria-busy');
      runNow.removeAttribute('aria-disabled');
    });
});
