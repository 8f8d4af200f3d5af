// The signed-in person's language and time zone, chosen in the top bar as in Confluence's
// personal settings: the choice is the account's (every browser and every app sees it), and
// apps get it as they get Confluence's (the iframe URL's `loc` and `tz`, AP.user.getLocale and
// AP.user.getTimeZone; docs/emulator.md, "The user's language and time zone").
//   POST /_emulator/user-locale (form: locale, timeZone, next) → 302 next
import express, { Router } from 'express';
import { z } from 'zod';
import type { Account } from '../accounts';
import type { EmulatorContext } from '../emulator-context';
import { HttpError } from '../errors';
import { validBody } from '../control/validate-body';
import { OFFERED_LOCALES, OFFERED_TIME_ZONES, localeSchema, timeZoneSchema } from '../user-locale';
import { Html, html } from './html';
import { signedInAccount } from './session';

const choiceSchema = z.object({ locale: localeSchema, timeZone: timeZoneSchema, next: z.string().optional() });

/** The form in the top bar; nothing for a page nobody is signed in to. */
export function userLocaleSwitch(user: Account | undefined, returnTo: string): Html | '' {
  if (!user) return '';
  const option = (value: string, label: string, chosen: string) =>
    html`<option value="${value}" ${value === chosen ? html`selected` : ''}>${label}</option>`;
  // A value set through the control API that the list does not offer is still shown as chosen.
  const locales = { ...OFFERED_LOCALES, ...(OFFERED_LOCALES[user.locale] ? {} : { [user.locale]: user.locale }) };
  const zones = OFFERED_TIME_ZONES.includes(user.timeZone) ? OFFERED_TIME_ZONES : [...OFFERED_TIME_ZONES, user.timeZone];
  return html`<form class="locale-switch" method="post" action="/_emulator/user-locale">
    <label for="emulator-locale">Language</label>
    <select id="emulator-locale" name="locale">
      ${Object.entries(locales).map(([value, label]) => option(value, label, user.locale))}
    </select>
    <label for="emulator-time-zone">Time zone</label>
    <select id="emulator-time-zone" name="timeZone">
      ${zones.map((zone) => option(zone, zone, user.timeZone))}
    </select>
    <input type="hidden" name="next" value="${returnTo}" />
    <button type="submit">Apply language and time zone</button>
  </form>`;
}

/** Only paths on this site: never an open redirect. */
function localPath(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/wiki/';
}

export function userLocaleRouter(ctx: EmulatorContext): Router {
  const router = Router();
  router.post('/user-locale', express.urlencoded({ extended: false }), (req, res) => {
    const user = signedInAccount(ctx, req);
    if (!user) throw new HttpError(401, 'Nobody is signed in to the emulated site in this browser');
    const choice = validBody(choiceSchema, req);
    ctx.site.updateAccountLocale(user.accountId, { locale: choice.locale, timeZone: choice.timeZone });
    res.redirect(303, localPath(choice.next));
  });
  return router;
}
