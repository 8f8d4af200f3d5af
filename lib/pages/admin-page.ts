/**
 * What the admin configuration page shows (views/admin.hbs): the settings form, where data
 * lives and any storage move, the migration figures as a chart, and the personal-data reporting
 * cycle — every identifier in the admin's words.
 */
import { formatMoment, translator, type MessageKey, type Translator, type UserLocale } from '../i18n';
import type { PersonalDataStatus, SiteStats } from '../api/answers';
import { PROFILE_FIELDS, VIEW_MODES } from '../preferences/schema';
import { STORAGE_MODES, type SiteSettings } from '../sites/site-settings';
import { pageLanguage } from './page-language';
import { PROFILE_LABELS } from './panel-page';

const STORAGE_LABELS: Record<(typeof STORAGE_MODES)[number], MessageKey> = {
  auto: 'admin.storage.auto',
  'user-properties': 'admin.storage.userProperties',
  'app-properties': 'admin.storage.appProperties',
};

export function adminPage(
  settings: SiteSettings,
  stats: SiteStats,
  personalData: PersonalDataStatus,
  reader: UserLocale,
  now = new Date(),
) {
  const i18n = translator(reader.language);
  const reasons = Object.entries(stats.migrations.rejectedByCode);
  const maxReason = Math.max(1, ...reasons.map(([, n]) => n));
  return {
    ...pageLanguage(reader),
    title: i18n.t('admin.title'),
    storage: stats.storage,
    backend: { detected: backendName(i18n, stats.storage.detectedBackend), active: backendName(i18n, stats.storage.activeBackend) },
    move: stats.storage.move && { ...stats.storage.move, to: backendName(i18n, stats.storage.move.to) },
    modes: STORAGE_MODES.map((value) => ({ value, label: i18n.t(STORAGE_LABELS[value]), selected: settings.mode === value })),
    viewModes: VIEW_MODES.map((value) => ({ value, label: i18n.t(`viewMode.${value}`), selected: settings.defaults.viewMode === value })),
    defaults: settings.defaults,
    profileFields: PROFILE_FIELDS.map((f) => ({ name: f, label: i18n.t(PROFILE_LABELS[f]), ...settings.profileFields[f] })),
    actAsUser: settings.actAsUser,
    stats,
    reasons: reasons.map(([code, count]) => ({
      code,
      label: i18n.maybe(`admin.reason.${code}`) ?? code,
      count,
      percent: Math.round((count / maxReason) * 100),
    })),
    personalData: personalDataModel(personalData, reader, i18n, now),
  };
}

/** The page for a user who is not a site admin. */
export function forbiddenPage(reader: UserLocale) {
  const i18n = translator(reader.language);
  return { ...pageLanguage(reader), title: i18n.t('admin.title'), message: i18n.t('admin.forbidden') };
}

/** Where data lives, in the admin's words (frontend/admin/storage-move.ts names them the same way). */
function backendName(i18n: Translator, backend: string | null | undefined): string | undefined {
  return backend ? (i18n.maybe(`admin.backend.${backend}`) ?? backend) : undefined;
}

/** The reporting cycle's figures in words (frontend/admin/personal-data.ts words them the same way after "Run now"). */
function personalDataModel(status: PersonalDataStatus, reader: UserLocale, i18n: Translator, now: Date) {
  const reason = (status.pausedBecause ?? i18n.t('admin.pd.pausedDefault')).replace(/[.\s]+$/, '');
  const when = (iso: string) => formatMoment(iso, reader, i18n);
  return {
    last: status.lastCycleAt ? when(status.lastCycleAt) : i18n.t('admin.pd.never'),
    next: status.nextCycleAt && new Date(status.nextCycleAt) > now ? when(status.nextCycleAt) : i18n.t('admin.pd.dueNow'),
    reported: status.reported,
    closed: status.closed,
    updated: status.updated,
    erased: status.erased,
    paused: status.state === 'paused' ? i18n.t('admin.pd.paused', { reason }) : undefined,
  };
}
