/**
 * Confluence pages, as far as Keepsake needs them: the title to keep beside a bookmark or
 * watch, and who wrote a page. A title is only ever read for a user who may read the page.
 */
import { KeepsakeError } from '../errors';
import type { Acting, ConfluenceClient } from './client';
import { expectSuccess } from './expect-success';
import { pageReply, parseReply, permissionCheckReply } from './replies';

export interface PageSummary {
  id: string;
  title: string;
  authorAccountId?: string;
}

export async function getPage(confluence: ConfluenceClient, contentId: string, acting: Acting): Promise<PageSummary> {
  const reply = await confluence.send({
    method: 'GET',
    path: `/rest/api/content/${encodeURIComponent(contentId)}?expand=history`,
    acting,
  });
  if (reply.status === 404 || reply.status === 403) throw notVisible(contentId);
  expectSuccess(reply, 'read the page');
  const body = parseReply(pageReply, reply, 'read the page');
  const author = body.history?.createdBy?.accountId;
  return { id: body.id, title: body.title, ...(author ? { authorAccountId: author } : {}) };
}

/**
 * The page as `accountId` may see it: read as that user where Keepsake acts as users (Confluence
 * checks), otherwise read as the app while asking Confluence whether the user may read it. A
 * page the user may not read is NOT_FOUND, exactly like one that does not exist — and costs the
 * same: both calls are always made, started together, and both are awaited before the answer,
 * so a missing page, a restricted one and a readable one cause the same Confluence calls in the
 * same order and the answer cannot be told apart by its timing (beyond Confluence's own).
 */
export async function getPageFor(confluence: ConfluenceClient, contentId: string, accountId: string, acting: Acting): Promise<PageSummary> {
  if (acting.as === 'user') return getPage(confluence, contentId, acting);
  const [content, permitted] = await Promise.allSettled([
    getPage(confluence, contentId, acting),
    mayRead(confluence, contentId, accountId, acting),
  ]);
  // The page's own failure first (as when the lookup came first): a missing page is NOT_FOUND
  // whatever the permission check said.
  if (content.status === 'rejected') throw content.reason;
  if (permitted.status === 'rejected') throw permitted.reason;
  if (!permitted.value) throw notVisible(contentId);
  return content.value;
}

/** Confluence's permission check; a page (or user) it does not know is a "no". */
async function mayRead(confluence: ConfluenceClient, contentId: string, accountId: string, acting: Acting): Promise<boolean> {
  const reply = await confluence.send({
    method: 'POST',
    path: `/rest/api/content/${encodeURIComponent(contentId)}/permission/check`,
    body: { subject: { type: 'user', identifier: accountId }, operation: 'read' },
    acting,
  });
  if (reply.status === 404) return false;
  expectSuccess(reply, 'check the page permission');
  return parseReply(permissionCheckReply, reply, 'check the page permission').hasPermission;
}

function notVisible(contentId: string): KeepsakeError {
  return new KeepsakeError('NOT_FOUND', `There is no page with id ${contentId} on this site that you can see.`);
}
