// AP.user: who is signed in, their locale and time zone.
import type { ModuleCallback, ModuleMethod } from './connect-host-types';
import type { HostPageData } from './host-page-data';

export function userModule(page: HostPageData): Record<string, ModuleMethod> {
  return {
    getCurrentUser(callback: ModuleCallback) {
      callback(
        page.user
          ? { atlassianAccountId: page.user.accountId, accountType: 'atlassian' }
          : { atlassianAccountId: null, accountType: 'anonymous' },
      );
    },
    getUser(callback: ModuleCallback) {
      callback(page.user ? { id: page.user.accountId, key: page.user.accountId, fullName: page.user.displayName } : {});
    },
    getLocale(callback: ModuleCallback) {
      callback(page.locale);
    },
    getTimeZone(callback: ModuleCallback) {
      callback(page.timeZone);
    },
  };
}
