/**
 * What Keepsake's records hold, parsed on every read rather than cast: a record that opens
 * (its seal holds) but does not have the shape of its layout is reported like a tampered one
 * and never half-used. Item fields are checked for type, not re-validated against today's
 * input limits, so that what an earlier version stored stays readable.
 */
import { z } from 'zod';
import { TRACKING_KEYS, VIEW_MODES } from '../preferences/schema';

const storedPage = z.object({ contentId: z.string(), title: z.string(), addedAt: z.string() });
const storedPages = z.array(storedPage);

/** The single values every layout of `main` keeps the same way. */
const singleValues = {
  viewMode: z.enum(VIEW_MODES).optional(),
  tracking: z.partialRecord(z.enum(TRACKING_KEYS), z.boolean()).optional(),
  profile: z.record(z.string(), z.string()).optional(),
  panelCollapsed: z.boolean().optional(),
  updatedAt: z.record(z.string(), z.string()).default({}),
};

const chunkRef = z.tuple([z.string(), z.string(), z.number().int().min(0)]);

/** `main` of the current layout (3): the tails inline, the chunks listed with their tags and counts. */
export const mainRecord = z.object({
  v: z.literal(3),
  gen: z.number().int().min(0),
  writer: z.string(),
  seq: z.number().int().min(0),
  ...singleValues,
  bookmarks: storedPages,
  watches: storedPages,
  chunks: z.object({ bookmarks: z.array(chunkRef), watches: z.array(chunkRef) }),
});

/** `main` of the earlier layouts (1 and 2): sets inline, then `spill` chunks named after the generation. */
export const earlierMainRecord = z.object({
  v: z.union([z.literal(1), z.literal(2)]).optional(),
  gen: z.number().int().min(0).default(0),
  writer: z.string().optional(),
  ...singleValues,
  bookmarks: storedPages.default([]),
  watches: storedPages.default([]),
  spill: z.object({ bookmarks: z.number().int().min(0).optional(), watches: z.number().int().min(0).optional() }).default({}),
});

/** A chunk: a stretch of one set, with the tag `main` names (layout 3) or without (earlier). */
export const chunkRecord = z.object({ v: z.number().optional(), tag: z.string().optional(), items: storedPages });

export type MainRecord = z.infer<typeof mainRecord>;
export type EarlierMainRecord = z.infer<typeof earlierMainRecord>;

/** A user's document as the cache table keeps it (StoredDocument). */
export const storedDocument = z.object({ ...singleValues, bookmarks: storedPages, watches: storedPages });

/** Where a document's items are (Layout), as the cache table keeps it. */
export const storedLayout = z.object({
  seq: z.number().int().min(0),
  sets: z.object({
    bookmarks: z.object({ chunks: z.array(z.object({ name: z.string(), tag: z.string(), count: z.number().int().min(0) })) }),
    watches: z.object({ chunks: z.array(z.object({ name: z.string(), tag: z.string(), count: z.number().int().min(0) })) }),
  }),
});
