/**
 * What a user's preferences are, and the limits every value is held to before any call to
 * Confluence. Each schema's messages say what was expected, so a failed check becomes an
 * error a person can act on.
 */
import { z } from 'zod';

export const VIEW_MODES = ['comfortable', 'compact', 'focus'] as const;
export const viewMode = z.enum(VIEW_MODES, { error: `viewMode must be one of: ${VIEW_MODES.join(', ')}` });
export type ViewMode = z.infer<typeof viewMode>;

export const TRACKING_KEYS = ['analytics', 'productEmails'] as const;
export const tracking = z.strictObject({
  analytics: z.boolean({ error: 'tracking.analytics must be true or false' }),
  productEmails: z.boolean({ error: 'tracking.productEmails must be true or false' }),
});
export type Tracking = z.infer<typeof tracking>;

/** Confluence content ids are decimal numbers, sent as strings. */
export const contentId = z
  .string({ error: 'contentId must be a string of digits, the id of a Confluence page' })
  .regex(/^[0-9]{1,20}$/, { error: 'contentId must be a string of digits, the id of a Confluence page' });

/** The longest page title stored (Confluence's own limit); a longer one is cut to it. */
export const MAX_TITLE_LENGTH = 255;
/** A page in a bookmark or watch set: its id, its title when it was added, and when. */
export const pageRef = z.strictObject({
  contentId,
  title: z.string().max(MAX_TITLE_LENGTH),
  addedAt: z.iso.datetime(),
});
export type PageRef = z.infer<typeof pageRef>;

/** Sets can grow to hundreds of pages; this bounds the calls and properties one user costs. */
export const MAX_SET_SIZE = 1000;
export const SET_NAMES = ['bookmarks', 'watches'] as const;
export type SetName = (typeof SET_NAMES)[number];

export const PROFILE_FIELDS = ['pronouns', 'workingHours', 'location', 'note'] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];
export const PROFILE_FIELD_LIMITS: Record<ProfileField, number> = {
  pronouns: 40,
  workingHours: 80,
  location: 80,
  note: 280,
};
export const profile = z.strictObject(
  Object.fromEntries(
    PROFILE_FIELDS.map((field) => [
      field,
      z
        .string({ error: `profile.${field} must be text` })
        .max(PROFILE_FIELD_LIMITS[field], { error: `profile.${field} is limited to ${PROFILE_FIELD_LIMITS[field]} characters` })
        .optional(),
    ]),
  ) as Record<ProfileField, z.ZodOptional<z.ZodString>>,
);
export type Profile = z.infer<typeof profile>;

/** Everything Keepsake keeps for one user on one site. */
export interface Preferences {
  viewMode: ViewMode;
  tracking: Tracking;
  bookmarks: PageRef[];
  watches: PageRef[];
  profile: Profile;
  /** The panel shown as a thin bar on every page, in every browser. */
  panelCollapsed: boolean;
  /** When each single value was last set, so that the newest wins when browsers' values merge. */
  updatedAt: { viewMode?: string; tracking?: string; profile?: string; panelCollapsed?: string };
}

export const preferencesPatch = z.strictObject({
  viewMode: viewMode.optional(),
  tracking: tracking.partial().optional(),
  panelCollapsed: z.boolean({ error: 'panelCollapsed must be true or false' }).optional(),
});
export type PreferencesPatch = z.infer<typeof preferencesPatch>;

export const pageRequest = z.strictObject({ contentId });
