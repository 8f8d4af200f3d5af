// POST  /_emulator/users {displayName, accountId?, siteAdmin?} → 201 {accountId, displayName, siteAdmin}
// GET   /_emulator/users → [{accountId, displayName, siteAdmin, profileUpdatedAt?, closedAt?}]
// PATCH /_emulator/users/{accountId} {displayName?, locale?, timeZone?} → 200 the account; a new
//        displayName records profileUpdatedAt now (reported "updated"); locale and time zone are what apps get as loc/tz
// POST  /_emulator/users/{accountId}/close → 200 the account, closed (reported "closed", "Former user")
import { Router } from 'express';
import { z } from 'zod';
import { ACCOUNT_ID_PATTERN, DEFAULT_USER_LOCALE, DEFAULT_USER_TIME_ZONE, newAccountId } from '../accounts';
import type { EmulatorContext } from '../emulator-context';
import { HttpError } from '../errors';
import { localeSchema, timeZoneSchema } from '../user-locale';
import { validBody } from './validate-body';

const profilePatchSchema = z
  .strictObject({
    displayName: z.string().min(1).max(255).optional(),
    locale: localeSchema.optional(),
    timeZone: timeZoneSchema.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'expected displayName, locale or timeZone');

const newUserSchema = z.strictObject({
  displayName: z.string().min(1).max(255),
  accountId: z.string().regex(ACCOUNT_ID_PATTERN, 'expected an Atlassian account id such as 712020:<uuid>').optional(),
  siteAdmin: z.boolean().optional(),
  locale: localeSchema.optional(),
  timeZone: timeZoneSchema.optional(),
});

export function controlUsersRouter(ctx: EmulatorContext): Router {
  const router = Router();
  router.get('/users', (_req, res) => {
    res.json(ctx.site.listAccounts());
  });
  router.post('/users', (req, res) => {
    const input = validBody(newUserSchema, req);
    const account = {
      accountId: input.accountId ?? newAccountId(),
      displayName: input.displayName,
      siteAdmin: input.siteAdmin ?? false,
      locale: input.locale ?? DEFAULT_USER_LOCALE,
      timeZone: input.timeZone ?? DEFAULT_USER_TIME_ZONE,
    };
    if (ctx.site.findAccount(account.accountId)) throw new HttpError(409, `A user with accountId ${account.accountId} already exists`);
    ctx.site.addAccount(account);
    res.status(201).json(account);
  });
  router.patch('/users/:accountId', (req, res) => {
    const { accountId } = req.params;
    const input = validBody(profilePatchSchema, req);
    const existing = ctx.site.findAccount(accountId);
    if (!existing) throw new HttpError(404, `No user with accountId ${accountId}`);
    if (existing.closedAt !== undefined) throw new HttpError(409, `The account ${accountId} is closed; its profile cannot change`);
    if (input.locale !== undefined || input.timeZone !== undefined)
      ctx.site.updateAccountLocale(accountId, { locale: input.locale, timeZone: input.timeZone });
    const updated =
      input.displayName === undefined
        ? ctx.site.findAccount(accountId)
        : ctx.site.updateAccountProfile(accountId, input.displayName, new Date().toISOString());
    res.json(updated);
  });
  router.post('/users/:accountId/close', (req, res) => {
    const { accountId } = req.params;
    const closed = ctx.site.closeAccount(accountId, new Date().toISOString());
    if (!closed) throw new HttpError(404, `No user with accountId ${accountId}`);
    res.json(closed);
  });
  return router;
}
