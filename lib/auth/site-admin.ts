/**
 * Whether a user administers Confluence on the site, asked of Confluence itself (never taken
 * from the client): the user's `operations` include `administer` on the `application`.
 */
import { AS_APP, type ConfluenceClient } from '../confluence/client';
import { expectSuccess } from '../confluence/expect-success';
import { parseReply, userReply } from '../confluence/replies';

export async function isSiteAdmin(confluence: ConfluenceClient, accountId: string): Promise<boolean> {
  const reply = await confluence.send({
    method: 'GET',
    path: `/rest/api/user?accountId=${encodeURIComponent(accountId)}&expand=operations`,
    acting: AS_APP,
  });
  if (reply.status === 404) return false;
  expectSuccess(reply, "look up the user's permissions");
  const operations = parseReply(userReply, reply, "look up the user's permissions").operations ?? [];
  return operations.some((op) => op.operation === 'administer' && op.targetType === 'application');
}
