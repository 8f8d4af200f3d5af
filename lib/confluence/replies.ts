/**
 * The shapes of the Confluence replies Keepsake reads, parsed rather than cast: a reply that is
 * not what Confluence documents is an error a person can act on (CONFLUENCE_REJECTED, with
 * what was wrong), never half-used. Fields Keepsake does not read are let through (passthrough
 * objects): Confluence adds fields over time.
 */
import { z } from 'zod';
import { KeepsakeError } from '../errors';
import type { ConfluenceReply } from './client';

/** GET /rest/api/user/{accountId}/property/{key} (docs/platform-facts.md §1). */
export const userPropertyReply = z.looseObject({ value: z.unknown() });

/** GET /rest/api/user/{accountId}/property: the keys, a page at a time. */
export const userPropertyKeysReply = z.looseObject({ results: z.array(z.looseObject({ key: z.string() })) });

/** GET /rest/api/content/{id}?expand=history: the id, the title and who created the page. */
export const pageReply = z.looseObject({
  id: z.union([z.string(), z.number()]).transform(String),
  title: z.string(),
  history: z.looseObject({ createdBy: z.looseObject({ accountId: z.string().optional() }).optional() }).optional(),
});

/** GET /rest/atlassian-connect/1/addons/{appKey}/properties/{key} (docs/platform-facts.md §2). */
export const appPropertyReply = z.looseObject({ value: z.unknown() });

/** GET /rest/atlassian-connect/1/addons/{appKey}/properties: the app's keys. */
export const appPropertyKeysReply = z.looseObject({ keys: z.array(z.looseObject({ key: z.string() })) });

/** POST /rest/api/content/{id}/permission/check. */
export const permissionCheckReply = z.looseObject({ hasPermission: z.boolean() });

/** GET /rest/api/user?accountId=…[&expand=operations]. */
export const userReply = z.looseObject({
  displayName: z.string().optional(),
  operations: z.array(z.looseObject({ operation: z.string().optional(), targetType: z.string().optional() })).optional(),
});

/** POST /app/report-accounts/ (200): what Atlassian says of each account reported. */
export const reportAccountsReply = z.looseObject({
  accounts: z.array(z.looseObject({ accountId: z.unknown(), status: z.unknown() })).default([]),
});

/** The reply's body in the documented shape, or CONFLUENCE_REJECTED saying what was not. */
export function parseReply<S extends z.ZodType>(schema: S, reply: ConfluenceReply, what: string): z.output<S> {
  const parsed = schema.safeParse(reply.body);
  if (parsed.success) return parsed.data;
  const problem = parsed.error.issues[0];
  throw new KeepsakeError(
    'CONFLUENCE_REJECTED',
    `Confluence answered an unexpected reply when asked to ${what}: ${problem.path.join('.') || 'the body'} ${problem.message.toLowerCase()}. Try again; tell your site admin if it persists.`,
    { confluenceStatus: reply.status },
  );
}
