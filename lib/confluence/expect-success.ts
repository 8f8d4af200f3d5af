/** Turns a Confluence refusal into Keepsake's error codes, keeping Confluence's own message in details. */
import { KeepsakeError, type ErrorCode } from '../errors';
import type { ConfluenceReply } from './client';

export function expectSuccess(reply: ConfluenceReply, what: string, options: { onForbiddenOrMissing?: ErrorCode } = {}): void {
  const { status, body } = reply;
  if (status >= 200 && status < 300) return;
  const details = { confluenceStatus: status, confluenceMessage: messageOf(body) };
  if ((status === 403 || status === 404) && options.onForbiddenOrMissing === 'USER_PROPERTIES_UNAVAILABLE') {
    throw new KeepsakeError(
      'USER_PROPERTIES_UNAVAILABLE',
      `Confluence refused to ${what} (${status}). A site admin can switch Keepsake's storage mode to app properties.`,
      details,
    );
  }
  if (status === 413) {
    throw new KeepsakeError('PAYLOAD_TOO_LARGE', `Confluence refused to ${what}: the value is too large.`, details);
  }
  throw new KeepsakeError('CONFLUENCE_REJECTED', `Confluence refused to ${what} (${status}).`, details);
}

function messageOf(body: unknown): string | undefined {
  if (typeof body === 'string') return body.slice(0, 500);
  const message = (body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
}
