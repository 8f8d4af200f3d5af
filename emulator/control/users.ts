// POST /_emulator/users {displayName, accountId?, siteAdmin?} → 201 {accountId, displayName, siteAdmin}
// GET  /_emulator/users → [{accountId, displayName, siteAdmin}]
import { Router } from 'express';
import { z } from 'zod';
import { ACCOUNT_ID_PATTERN, newAccountId } from '../accounts';
import type { EmulatorContext } from '../emulator-context';
import { HttpError } from '../errors';
import { validBody } from './validate-body';

const newUserSchema = z.strictObject({
  displayName: z.string().min(1).max(255),
  accountId: z.string().regex(ACCOUNT_ID_PATTERN, 'expected an Atlassian account id such as 712020:<uuid>').optional(),
  siteAdmin: z.boolean().optional(),
});

export function controlUsersRouter(ctx: EmulatorContext): Router {
  const router = Router();
  router.get('/users', (_req, res) => {
    res.json(ctx.site.listAccounts());
  });
  router.post('/users', (req, res) => {
    const input = validBody(newUserSchema, req);
    const account = { accountId: input.accountId ?? newAccountId(), displayName: input.displayName, siteAdmin: input.siteAdmin ?? false };
    if (ctx.site.findAccount(account.accountId)) throw new HttpError(409, `A user with accountId ${account.accountId} already exists`);
    ctx.site.addAccount(account);
    res.status(201).json(account);
  });
  return router;
}
