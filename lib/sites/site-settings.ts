/**
 * What a site admin decides for the whole site: where preferences are stored, the defaults
 * new users start from, which profile fields exist and which are public, and whether
 * Keepsake acts as each user (ACT_AS_USER) rather than as the app when it touches their data.
 */
import { z } from 'zod';
import { PROFILE_FIELDS, TRACKING_KEYS, tracking, viewMode } from '../preferences/schema';

export const STORAGE_MODES = ['auto', 'user-properties', 'app-properties'] as const;
export type StorageMode = (typeof STORAGE_MODES)[number];

const profileFieldSetting = z.strictObject({
  enabled: z.boolean({ error: 'enabled must be true or false' }),
  public: z.boolean({ error: 'public must be true or false' }),
});

export const siteSettings = z.strictObject({
  mode: z.enum(STORAGE_MODES, { error: `mode must be one of: ${STORAGE_MODES.join(', ')}` }),
  defaults: z.strictObject({ viewMode, tracking }),
  profileFields: z.strictObject(
    Object.fromEntries(PROFILE_FIELDS.map((f) => [f, profileFieldSetting])) as Record<
      (typeof PROFILE_FIELDS)[number],
      typeof profileFieldSetting
    >,
  ),
  actAsUser: z.boolean({ error: 'actAsUser must be true or false' }),
});
export type SiteSettings = z.infer<typeof siteSettings>;

export const DEFAULT_SITE_SETTINGS: SiteSettings = {
  mode: 'auto',
  defaults: {
    viewMode: 'comfortable',
    tracking: Object.fromEntries(TRACKING_KEYS.map((k) => [k, false])) as SiteSettings['defaults']['tracking'],
  },
  profileFields: {
    pronouns: { enabled: true, public: true },
    workingHours: { enabled: true, public: true },
    location: { enabled: true, public: true },
    note: { enabled: true, public: true },
  },
  actAsUser: false,
};

/** Settings as stored, completed with the defaults (older rows may lack newer fields). */
export function completeSettings(stored: unknown): SiteSettings {
  const merged = { ...DEFAULT_SITE_SETTINGS, ...(typeof stored === 'object' && stored ? stored : {}) };
  const parsed = siteSettings.safeParse(merged);
  return parsed.success ? parsed.data : DEFAULT_SITE_SETTINGS;
}
