// What the server put in the page for the bridge: who is signed in and which iframes to create.

export interface HostUser {
  accountId: string;
  displayName: string;
  siteAdmin: boolean;
}

export interface HostIframe {
  /** The element the iframe goes into. */
  containerId: string;
  addon_key: string;
  key: string;
  url: string;
  options: { isFullPage?: boolean; width?: string; height?: string; moduleType?: string; moduleLocation?: string };
  /** What AP.context.getContext() answers in this iframe. */
  productContext: Record<string, unknown>;
}

export interface HostPageData {
  user: HostUser | null;
  locale: string;
  timeZone: string;
  iframes: HostIframe[];
}

export function readHostPageData(): HostPageData {
  const element = document.getElementById('emulator-host-data');
  if (!element?.textContent) return { user: null, locale: 'en-US', timeZone: 'UTC', iframes: [] };
  return JSON.parse(element.textContent) as HostPageData;
}
