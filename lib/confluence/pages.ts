/** Confluence pages, as far as Keepsake needs them: the title to keep beside a bookmark or watch. */
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
