/**
 * ACE caches the OAuth access tokens it gets for acting as a user in its store, as `bearer:*`
 * rows it never removes (docs/platform-facts.md §10). A reinstall brings a new OAuth client, so
 * the cached tokens would be refused for up to their lifetime: they are dropped on install and
 * uninstall. Expired ones are dropped by the site's daily upkeep: a token is a secret, and one
 * that can no longer be used has no reason to stay in the database.
 */
import type { AddOn } from 'atlassian-connect-express';
import { Op } from 'sequelize';

const BEARER_KEYS = { [Op.like]: 'bearer:%' };

export async function forgetImpersonationTokens(addon: AddOn, clientKey: string): Promise<void> {
  const settings = addon.schema.models.AddonSetting;
  if (!settings) return;
  await settings.destroy({ where: { clientKey, key: BEARER_KEYS } });
}

/** Drops the site's cached tokens that expired before `now`; answers how many. */
export async function dropExpiredImpersonationTokens(addon: AddOn, clientKey: string, now: Date): Promise<number> {
  const settings = addon.schema.models.AddonSetting;
  if (!settings) return 0;
  const rows = await settings.findAll({ where: { clientKey, key: BEARER_KEYS }, attributes: ['key'], raw: true });
  const expired: string[] = [];
  for (const { key } of rows as unknown as { key: string }[]) {
    // Read through ACE's store, which opens the sealed value: {token, expiresAt} (seconds).
    const cached = await addon.settings.get<{ expiresAt?: unknown } | null>(key, clientKey);
    if (cached && typeof cached.expiresAt === 'number' && cached.expiresAt * 1000 < now.getTime()) expired.push(key);
  }
  if (expired.length > 0) await settings.destroy({ where: { clientKey, key: { [Op.in]: expired } } });
  return expired.length;
}
