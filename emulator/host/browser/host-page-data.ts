// What the server put in the page for the bridge: who is signed in and which iframes to create.
import type { HostIframeData, HostPageData } from '../page-data';

export type { HostPageData };
export type HostIframe = HostIframeData;

export function readHostPageData(): HostPageData {
  const element = document.getElementById('emulator-host-data');
  if (!element?.textContent) return { user: null, locale: 'en-US', timeZone: 'UTC', iframes: [] };
  return JSON.parse(element.textContent) as HostPageData;
}
