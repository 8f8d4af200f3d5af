// The JSON a host page hands its bridge (browser/host-page-data.ts reads the same shape).
export interface HostIframeData {
  containerId: string;
  addon_key: string;
  key: string;
  url: string;
  options: { isFullPage?: boolean; width?: string; height?: string; moduleType?: string; moduleLocation?: string };
  productContext: Record<string, unknown>;
}

export interface HostPageData {
  user: { accountId: string; displayName: string; siteAdmin: boolean } | null;
  locale: string;
  timeZone: string;
  iframes: HostIframeData[];
}
