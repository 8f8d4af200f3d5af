// The JSON a host page hands its bridge: the server writes it (page-data in site-pages.ts),
// the browser bridge reads it (browser/host-page-data.ts). One definition for both sides.
export interface HostUser {
  accountId: string;
  displayName: string;
  siteAdmin: boolean;
}

export interface HostIframeData {
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
  iframes: HostIframeData[];
}
