// Reading what Keepsake stored for a user straight from Confluence (the emulator's user
// properties), not through Keepsake: proof that the data is where the user's profile is.
import type { Stack } from '../../support/keepsake-stack';

export interface StoredDocument {
  viewMode?: string;
  tracking?: Record<string, boolean>;
  bookmarks: { contentId: string; title: string }[];
  watches: { contentId: string; title: string }[];
  profile?: Record<string, string>;
}

export async function storedPreferences(stack: Stack, accountId: string): Promise<StoredDocument> {
  const reply = await stack.apRequest<{ value: StoredDocument }>(accountId, 'GET', `/rest/api/user/${encodeURIComponent(accountId)}/property/keepsake-main`);
  if (reply.status !== 200) {
    const keys = await stack.apRequest(accountId, 'GET', `/rest/api/user/${encodeURIComponent(accountId)}/property?limit=25`);
    throw new Error(`No keepsake-main property for ${accountId} (${reply.status}); the user has ${JSON.stringify(keys.json)}`);
  }
  return reply.json.value;
}

export function ids(pages: { contentId: string }[]): string[] {
  return pages.map((p) => p.contentId).sort();
}
