// The emulated Confluence page's side of the Connect bridge. atlassian-connect-js's
// connect-host.js (loaded before this, after `window.AJS = {$: jQuery}`) supplies the bridge
// and the modules it ships (env, events, dialog, flag, …); this adds the ones Confluence
// itself supplies — context, cookie, user, request, navigator — a flag provider in place of
// AUI, a content resolver, and creates the page's iframes.
import { contextModule } from './context-module';
import type { HostIframe } from './host-page-data';
import { readHostPageData } from './host-page-data';
import { cookieModule } from './cookie-module';
import { flagProvider } from './flag-provider';
import { hostApi } from './host-api-client';
import { navigatorModule } from './navigator-module';
import { requestModule } from './request-module';
import { userModule } from './user-module';

const page = readHostPageData();
const host = window.connectHost;
host.defineModule('context', contextModule);
host.defineModule('cookie', cookieModule);
host.defineModule('user', userModule(page));
host.defineModule('navigator', navigatorModule);
host.defineModule(requestModule);
host.frameworkAdaptor.registerModule({
  getModuleRegistrationName: () => 'flag',
  isEnabled: () => true,
  getProvider: () => flagProvider,
});

// Asked for a URL when an iframe has none or its JWT expired; must answer a jQuery Deferred.
host.registerContentResolver.resolveByExtension((extension) => {
  const deferred = window.jQuery.Deferred();
  hostApi<{ url: string }>('/iframe-url', {
    appKey: extension.addon_key,
    moduleKey: extension.key,
    productContext: extension.options?.productContext ?? {},
  }).then(
    ({ url }) => deferred.resolve({ url, addon_key: extension.addon_key, key: extension.key, options: extension.options ?? {} }),
    (error: unknown) => deferred.reject(error),
  );
  return deferred.promise();
});

function createIframe(iframe: HostIframe): void {
  const container = document.getElementById(iframe.containerId);
  if (!container) return;
  const created = host.create({
    addon_key: iframe.addon_key,
    key: iframe.key,
    url: iframe.url,
    options: { ...iframe.options, productContext: iframe.productContext },
  });
  // create() answers a detached jQuery-wrapped element: append it.
  const element = 'length' in created ? created[0] : created;
  container.appendChild(element);
  const frame = element.querySelector('iframe') ?? (element instanceof HTMLIFrameElement ? element : null);
  if (frame) frame.title = `${iframe.options.moduleType === 'webPanels' ? 'App panel' : 'App page'}: ${iframe.key}`;
}

page.iframes.forEach(createIframe);
