// How Confluence REST v1 renders a user (the `User` schema of the v1 OpenAPI), including the
// `operations` expansion apps use to tell a Confluence administrator from a user
// (`{operation: "administer", targetType: "application"}`, see
// https://community.developer.atlassian.com/t/how-to-check-if-a-user-can-administer-confluence-in-a-connect-app/29678).
import type { Account } from '../accounts';
import type { EmulatorUrls } from '../emulator-context';
import type { InstalledApp } from '../site';
import { linksFor } from './links';

export interface UserJsonOptions {
  expandOperations: boolean;
}

interface Operation {
  operation: string;
  targetType: string;
}

function operationsOf(siteAdmin: boolean, isApp: boolean, closed: boolean): Operation[] {
  if (closed) return [];
  const ops: Operation[] = [{ operation: 'use', targetType: 'application' }];
  if (!isApp) ops.push({ operation: 'create_space', targetType: 'application' });
  if (siteAdmin) ops.push({ operation: 'administer', targetType: 'application' });
  return ops;
}

function render(
  urls: EmulatorUrls,
  accountId: string,
  displayName: string,
  accountType: string,
  siteAdmin: boolean,
  options: UserJsonOptions,
  closed = false,
): object {
  const user: Record<string, unknown> = {
    type: 'known',
    accountId,
    accountType,
    email: '',
    publicName: displayName,
    profilePicture: { path: '/wiki/images/icons/profilepics/default.svg', width: 48, height: 48, isDefault: true },
    displayName,
    isExternalCollaborator: false,
    _expandable: { operations: '', personalSpace: '' },
    _links: linksFor(urls, `/rest/api/user?accountId=${encodeURIComponent(accountId)}`),
  };
  if (options.expandOperations) {
    user.operations = operationsOf(siteAdmin, accountType === 'app', closed);
    user._expandable = { personalSpace: '' };
  }
  return user;
}

/**
 * A closed account still answers, under its id, as "Former user" with the default avatar, no
 * email and no operations (the name and avatar: Atlassian's account deletion page, see
 * accounts.ts; the rest of the shape is assumed).
 */
export function accountJson(urls: EmulatorUrls, account: Account, options: UserJsonOptions = { expandOperations: false }): object {
  return render(urls, account.accountId, account.displayName, 'atlassian', account.siteAdmin, options, account.closedAt !== undefined);
}

/** An app's own user (accountType "app"), what a call made as the app sees as current user. */
export function appUserJson(urls: EmulatorUrls, app: InstalledApp, options: UserJsonOptions = { expandOperations: false }): object {
  return render(urls, app.appAccountId, app.name, 'app', false, options);
}
