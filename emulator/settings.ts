// The emulator's behaviour switches and limits. Every value here is either a documented
// Confluence fact or an assumption made a setting (docs/emulator.md says which).
import { z } from 'zod';

export const emulatorSettingsSchema = z.strictObject({
  /**
   * A call made as a user (Bearer, AP.request) may not touch another user's properties.
   * Announced by Atlassian but documented nowhere (docs/platform-facts.md §1), so off by default:
   * the hostile reading, where any user of an app reaches every user's properties.
   */
  asUserRestriction: z.boolean(),
  /** User properties: key length, value length (JSON characters), properties per user per app. */
  userPropertyMaxKeyLength: z.number().int().min(1),
  userPropertyMaxValueLength: z.number().int().min(2),
  userPropertyMaxPerUser: z.number().int().min(0),
  /** App properties: key length, value length (JSON characters), properties per app. */
  appPropertyMaxKeyLength: z.number().int().min(1),
  appPropertyMaxValueLength: z.number().int().min(1),
  appPropertyMaxPerApp: z.number().int().min(0),
  /** Lifetime of the OAuth 2.0 access tokens minted for ACT_AS_USER apps, in seconds. */
  bearerTokenTtlSeconds: z.number().int().min(1),
  /** Lifetime of context JWTs (AP.context.getToken()), in seconds. */
  contextTokenTtlSeconds: z.number().int().min(1),
  /** How long the emulator waits for an app's descriptor or lifecycle answer, in ms. */
  appCallTimeoutMs: z.number().int().min(1),
  /** UPM's `connectDeveloperListingsEnabled` ("development mode" of the site). */
  developmentMode: z.boolean(),
  /** The `pingAfter` (ms) UPM tells the installer to wait before polling an install task. */
  upmPingAfterMs: z.number().int().min(0),
  /**
   * The `Cycle-Period` header of the personal data reporting API's answers (200 and 204): when
   * the app should report again. Its form is known only from a community client's tests
   * ("20 Days"), the 7-day default from the community quoting Atlassian's guide
   * (docs/platform-facts.md §5); null leaves the header out, as clients must expect.
   */
  reportAccountsCyclePeriod: z
    .string()
    .regex(/^[\x20-\x7e]{1,100}$/, 'expected a header value: 1 to 100 printable ASCII characters')
    .nullable(),
});

export type EmulatorSettings = z.infer<typeof emulatorSettingsSchema>;

export const DEFAULT_SETTINGS: EmulatorSettings = {
  asUserRestriction: false,
  userPropertyMaxKeyLength: 255,
  userPropertyMaxValueLength: 32_768,
  userPropertyMaxPerUser: 100,
  appPropertyMaxKeyLength: 127,
  appPropertyMaxValueLength: 32_768,
  appPropertyMaxPerApp: 100,
  bearerTokenTtlSeconds: 900,
  contextTokenTtlSeconds: 900,
  appCallTimeoutMs: 10_000,
  developmentMode: true,
  upmPingAfterMs: 100,
  reportAccountsCyclePeriod: '7 Days',
};

/** A partial update, checked field by field; unknown fields are an error. */
export const settingsPatchSchema = emulatorSettingsSchema.partial();

export function mergeSettings(base: EmulatorSettings, patch: Partial<EmulatorSettings>): EmulatorSettings {
  return emulatorSettingsSchema.parse({ ...base, ...patch });
}
