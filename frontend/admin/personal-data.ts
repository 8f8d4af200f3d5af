// The site's personal-data reporting cycle on the admin page (docs/privacy.md): the figures,
// updated in place after "Run now" or a refresh, and the sentence flagged after a run. The
// server renders the same words first (personalDataModel in routes/iframes.ts): keep the two
// in step.

import type { CycleOutcome, PersonalDataStatus } from '../shared/api-types';
import { moment, plural, t } from '../shared/i18n';

export function nextCycleWords(nextCycleAt: string | null, now = new Date()): string {
  return nextCycleAt && new Date(nextCycleAt) > now ? moment(nextCycleAt) : t('admin.pd.dueNow');
}

/** A paused cycle's reason as one sentence: "Paused: … ; it continues at the next run." */
export function pausedSentence(because: string | undefined): string {
  const reason = (because ?? t('admin.pd.pausedDefault')).replace(/[.\s]+$/, '');
  return t('admin.pd.paused', { reason });
}

/** What a finished run did, as a person says it: "Reported 12 accounts; 1 closed account erased." */
export function doneSentence(outcome: CycleOutcome): string {
  const parts: string[] = [];
  if (outcome.closed > 0) parts.push(plural('admin.pd.closedAccounts', outcome.closed));
  if (outcome.updated > 0) parts.push(plural('admin.pd.updatedAccounts', outcome.updated));
  if (parts.length === 0) parts.push(t('admin.pd.noneChanged'));
  return t('admin.pd.done', { accounts: plural('admin.pd.accounts', outcome.reported), changes: parts.join('; ') });
}

function setText(id: string, text: string): void {
  const element = document.getElementById(id);
  if (element) element.textContent = text;
}

/** The figures of a status, or of a run's outcome (which leaves the last cycle's date as it is). */
export function showPersonalData(status: CycleOutcome | PersonalDataStatus): void {
  if ('lastCycleAt' in status) setText('ks-pd-last', status.lastCycleAt ? moment(status.lastCycleAt) : t('admin.pd.never'));
  setText('ks-pd-reported', String(status.reported));
  setText('ks-pd-closed', String(status.closed));
  setText('ks-pd-updated', String(status.updated));
  setText('ks-pd-erased', String(status.erased));
  setText('ks-pd-next', nextCycleWords(status.nextCycleAt));
  const paused = document.getElementById('ks-pd-paused');
  if (paused) {
    paused.hidden = status.state !== 'paused';
    paused.textContent = status.state === 'paused' ? pausedSentence(status.pausedBecause) : '';
  }
}
