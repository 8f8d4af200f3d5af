/**
 * ACE caches the OAuth access tokens it gets for acting as a user in its store, as `bearer:*`
 * rows it never removes (confluence-facts.md §6). A reinstall brings a new OAuth client, so
 * the cached tokens would be refused for up to their lifetime: they are dropped on install and
 * uninstall.
 */
import type { AddOn } from 'atlassian-connect-express';
import { Op } from 'sequelize';

export async function forgetImpersonationTokens(addon: AddOn, clientKey: string): Promise<void> {
  const settings = addon.schema.models.AddonSetting;
  if (!settings) return;
  await settings.destroy({ where: { clientKey, key: { [Op.like]: 'bearer:%' } } });
}
