// Messages to the user as Confluence flags (AP.flag), outside the iframe's small area.
//
// No flag waits for a person to close it. Information and success close themselves
// (`close: 'auto'`, a few seconds in Confluence). A warning or an error stays long enough to be
// read, then closes too — at once when the person does anything else in the iframe, since by
// then they have seen it and a flag left open would only be in the way of what they do next.

import { errorSentence } from './i18n';

/** How long a warning or an error stays when nothing else happens. */
export const LINGER_MS = 20_000;

/** Warnings and errors still open: closed on the next action or when their time is up. */
const lingering = new Set<AP.flag.Flag>();

function closeLingering(): void {
  for (const flag of lingering) flag.close();
  lingering.clear();
}

// The next action: a click or a change anywhere in the iframe (captured, so nothing stops it).
let listening = false;
function closeOnNextAction(): void {
  if (listening) return;
  listening = true;
  document.addEventListener('click', closeLingering, true);
  document.addEventListener('change', closeLingering, true);
}

function linger(flag: AP.flag.Flag): void {
  lingering.add(flag);
  closeOnNextAction();
  setTimeout(() => {
    if (lingering.delete(flag)) flag.close();
  }, LINGER_MS);
}

export function flagError(title: string, error: unknown): void {
  const body = errorSentence(error);
  linger(AP.flag.create({ title, body, type: 'error', close: 'manual' }));
}

export function flagNotice(title: string, body: string, type: 'info' | 'success' | 'warning' = 'info'): void {
  if (type === 'warning') linger(AP.flag.create({ title, body, type, close: 'manual' }));
  else AP.flag.create({ title, body, type, close: 'auto' });
}
