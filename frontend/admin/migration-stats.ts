// The migration figures and their small bar chart (rejected cookies by reason), updated in
// place after a refresh. The server renders the same markup first.
import type { SiteStats } from '../shared/api-types';
import { i18n } from '../shared/i18n';

function setFigure(id: string, value: number): void {
  const element = document.getElementById(id);
  if (element) element.textContent = String(value);
}

export function showMigrationStats(stats: SiteStats): void {
  setFigure('ks-stat-users', stats.migrations.users);
  setFigure('ks-stat-migrated', stats.migrations.cookiesMigrated);
  setFigure('ks-stat-rejected', stats.migrations.cookiesRejected);
  setFigure('ks-stat-with-preferences', stats.usersWithPreferences);
  const chart = document.getElementById('ks-reasons');
  if (!chart) return;
  const entries = Object.entries(stats.migrations.rejectedByCode);
  const max = Math.max(1, ...entries.map(([, n]) => n));
  chart.replaceChildren(
    ...entries.map(([code, count]) => {
      const row = document.createElement('li');
      row.className = 'ks-bar-row';
      const label = document.createElement('span');
      label.className = 'ks-bar-label';
      // Why a cookie was not fully moved, in the admin's words (routes/iframes.ts labels the server's chart the same way).
      label.textContent = i18n.maybe(`admin.reason.${code}`) ?? code;
      label.dataset.code = code;
      const bar = document.createElement('span');
      bar.className = 'ks-bar';
      bar.style.width = `${Math.round((count / max) * 100)}%`;
      bar.setAttribute('aria-hidden', 'true');
      const figure = document.createElement('span');
      figure.className = 'ks-bar-value';
      figure.textContent = String(count);
      row.append(label, bar, figure);
      return row;
    }),
  );
  const empty = document.getElementById('ks-reasons-empty');
  if (empty) empty.hidden = entries.length > 0;
}
