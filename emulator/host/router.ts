// The emulator's host pages (docs/emulator.md, "Host pages"): the site a person or a browser
// test uses, with Atlassian's Connect JavaScript running the apps' iframes. Mounted by default.
import type { EmulatorContext } from '../emulator-context';
import type { MountedRouter } from '../server';
import { connectAssetsRouter } from './connect-assets';
import { hostApiRouter } from './host-api';
import { manageAppsRouter } from './manage-apps-page';
import { scriptRoutesRouter } from './script-routes';
import { sitePagesRouter } from './site-pages';
import { userLocaleRouter } from './user-locale-switch';

export function hostPageRouters(ctx: EmulatorContext): MountedRouter[] {
  return [
    { path: '/', router: connectAssetsRouter() },
    { path: '/_emulator/host/api', router: hostApiRouter(ctx) },
    { path: '/_emulator', router: scriptRoutesRouter(ctx) },
    { path: '/_emulator', router: userLocaleRouter(ctx) },
    { path: '/wiki/plugins/servlet/upm', router: manageAppsRouter(ctx) },
    { path: '/wiki', router: sitePagesRouter(ctx) },
  ];
}
