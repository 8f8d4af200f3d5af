// The admin configuration page: saves the site's settings (storage mode, defaults for new
// users, profile fields, acting as the user) and refreshes the migration figures. The page
// arrives filled in; only a save or a refresh calls the API.
import { flagError, flagNotice } from '../shared/flags';
import { callApi } from '../shared/keepsake-api';
import { showMigrationStats, type SiteStats } from './migration-stats';

interface StorageStatus {
  mode: string;
  detectedBackend: string | null;
  activeBackend: string | null;
}

const form = document.getElementById('ks-settings-form') as HTMLFormElement;

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
    defaults: { viewMode: value('defaultViewMode'), tracking: { analytics: checked('defaultAnalytics'), productEmails: checked('defaultProductEmails') } },
    profileFields,
    actAsUser: checked('actAsUser'),
  };
}

function showStorage(storage: StorageStatus): void {
  const detected = document.getElementById('ks-detected-backend');
  if (detected) detected.textContent = storage.detectedBackend ?? 'not detected yet';
  const active = document.getElementById('ks-active-backend');
  if (active) active.textContent = storage.activeBackend ?? 'none yet';
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const save = form.querySelector<HTMLButtonElement>('button[type="submit"]');
  if (save) save.disabled = true;
  callApi<{ storage: StorageStatus }>('PUT', '/api/admin/settings', settingsFromForm())
    .then(
      ({ storage }) => {
        showStorage(storage);
        flagNotice('Settings saved', 'Keepsake uses the new settings from now on.', 'success');
      },
      (error: unknown) => flagError('Keepsake could not save the settings', error),
    )
    .finally(() => {
      if (save) save.disabled = false;
    });
});

document.getElementById('ks-refresh-stats')?.addEventListener('click', () => {
  callApi<SiteStats & { storage?: StorageStatus }>('GET', '/api/admin/stats').then(
    (stats) => {
      showMigrationStats(stats);
      if (stats.storage) showStorage(stats.storage);
    },
    (error: unknown) => flagError('Keepsake could not load the figures', error),
  );
});
