/**
 * Confluence pages, as far as Keepsake needs them: the title to keep beside a bookmark or
 * watch, and who wrote a page. A title is only ever read for a user who may read the page.
 */
import { KeepsakeError } from '../errors';
import type { Acting, ConfluenceClient } from './client';
import { expectSuccess } from './expect-success';

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
  if (reply.status === 404 || reply.status === 403) {
    throw new KeepsakeError('NOT_FOUND', `There is no page with id ${contentId} on this site that you can see.`);
  }
  expectSuccess(reply, 'read the page');
  const body = reply.body as { id?: unknown; title?: unknown; history?: { createdBy?: { accountId?: unknown } } };
  const author = body.history?.createdBy?.accountId;
  return {
    id: String(body.id ?? contentId),
    title: typeof body.title === 'string' ? body.title : '',
    ...(typeof author === 'string' ? { authorAccountId: author } : {}),
  };
}

/**
 * The page as `accountId` may see it: read as that user where Keepsake acts as users (Confluence
 * checks), otherwise read as the app after asking Confluence whether the user may read it. A
 * page the user may not read is NOT_FOUND, exactly like one that does not exist.
 */
export async function getPageFor(confluence: ConfluenceClient, contentId: string, accountId: string, acting: Acting): Promise<PageSummary> {
  if (acting.as === 'user') return getPage(confluence, contentId, acting);
  const page = await getPage(confluence, contentId, acting);
  const reply = await confluence.send({
    method: 'POST',
    path: `/rest/api/content/${encodeURIComponent(contentId)}/permission/check`,
    body: { subject: { type: 'user', identifier: accountId }, operation: 'read' },
    acting,
  });
  expectSuccess(reply, 'check the page permission');
  if ((reply.body as { hasPermission?: unknown }).hasPermission !== true) {
    throw new KeepsakeError('NOT_FOUND', `There is no page with id ${contentId} on this site that you can see.`);
  }
  return page;
}
