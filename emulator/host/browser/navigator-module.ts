// AP.navigator: moves the host page (not the iframe) to a Confluence location, using the URL
// shapes of Confluence Cloud. A content id goes through
// /wiki/pages/viewpage.action?pageId=, which Confluence also redirects to the page.
import type { ModuleCallback, ModuleMethod } from './connect-host-types';

interface NavigatorContext {
  contentId?: string | number;
  spaceKey?: string;
  addonKey?: string;
  moduleKey?: string;
}

function targetUrl(target: string, context: NavigatorContext): string | undefined {
  switch (target) {
    case 'contentview':
    case 'contentedit':
      return context.contentId === undefined
        ? undefined
        : `/wiki/pages/viewpage.action?pageId=${encodeURIComponent(String(context.contentId))}`;
    case 'spaceview':
      return context.spaceKey ? `/wiki/spaces/${encodeURIComponent(context.spaceKey)}` : undefined;
    case 'addonModule':
      return context.addonKey && context.moduleKey
        ? `/wiki/plugins/servlet/ac/${encodeURIComponent(context.addonKey)}/${encodeURIComponent(context.moduleKey)}`
        : undefined;
    case 'dashboard':
    case 'siteHome':
      return '/wiki/';
    default:
      return undefined;
  }
}

export const navigatorModule: Record<string, ModuleMethod> = {
  go(target: string, context: NavigatorContext | undefined) {
    const url = targetUrl(target, context ?? {});
    if (url) window.location.assign(url);
    else console.warn(`AP.navigator.go: the emulator cannot go to ${target} with ${JSON.stringify(context)}`);
  },
  reload() {
    window.location.reload();
  },
  getLocation(callback: ModuleCallback) {
    callback({ target: document.body.dataset.navigatorTarget ?? 'dashboard', context: {}, href: window.location.href });
  },
};
