// Reading what Keepsake stored for a user straight from Confluence (the emulator's user
// properties), not through Keepsake: proof that the data is where the user's profile is.
import type { Stack } from '../../support/keepsake-stack';
import { openedRecord } from '../../support/stored-records';

export interface StoredDocument {
  viewMode?: string;
  tracking?: Record<string, boolean>;
  bookmarks: { contentId: string; title: string }[];
  watches: { contentId: string; title: string }[];
  profile?: Record<string, string>;
}

/** The user's main record, opened with the site's key (small sets only: chunks are not followed). */
export async function storedPreferences(stack: Stack, accountId: string): Promise<StoredDocument> {
  const content = await openedRecord(stack, accountId);
  if (content.spill) throw new Error(`keepsake-main of ${accountId} spills into chunks; read it through Keepsake instead`);
  return content as unknown as StoredDocument;
}

export function ids(pages: { contentId: string }[]): string[] {
  return pages.map((p) => p.contentId).sort();
}
