/**
 * Asks a Confluence site, before anything starts, whether it is there and can take Keepsake.
 *
 * - checkSite() (`--connect`): the first question ACE's `register()` asks
 *   (`GET /rest/plugins/1.0/settings`): ACE turns every answer but a 2xx into an unhandled
 *   rejection and a `register()` that never settles (docs/platform-facts.md §10), so a wrong token
 *   or host name is caught here and named.
 * - checkForgeSite() (Connect on Forge): `GET /_edge/tenant_info`, which every Atlassian Cloud
 *   site answers without credentials with its cloud id
 *   (https://support.atlassian.com/jira/kb/retrieve-my-atlassian-sites-cloud-id), so a
 *   mistyped or unreachable site is named before `forge install` is asked to find it.
 */
import type { ForgeSite, SiteCredentials } from './credentials';

/** The site is missing, refuses the account, or cannot take development installs. */
export class SiteError extends Error {}

export async function checkSite(site: SiteCredentials, timeoutMs: number): Promise<void> {
  const url = `${site.siteUrl}/rest/plugins/1.0/settings`;
  const response = await askSite(
    site.siteUrl,
    url,
    {
      Authorization: `Basic ${Buffer.from(`${site.username}:${site.password}`).toString('base64')}`,
      Accept: 'application/json',
    },
    timeoutMs,
  );
  const status = response.status;
  if (status === 401) {
    throw new SiteError(
      `${site.siteUrl} refused the account (401). In credentials.json, "username" must be your Atlassian account's e-mail and "password" ` +
        'an API token from https://id.atlassian.com/manage-profile/security/api-tokens (not your password).',
    );
  }
  if (status === 403) {
    throw new SiteError(
      `${site.siteUrl} refused to let ${site.username} manage apps (403). The account must be an administrator of the site.`,
    );
  }
  if (status === 404) {
    throw new SiteError(
      `${site.siteUrl} has no app-management API (404). Is it a Confluence Cloud site? Write the site as https://your-site.atlassian.net.`,
    );
  }
  if (status >= 300 && status < 400) {
    throw new SiteError(
      `${site.siteUrl} redirected to ${response.headers.get('location') ?? 'another address'} (${status}). Check the site's address in credentials.json.`,
    );
  }
  if (status < 200 || status >= 300) throw new SiteError(`${site.siteUrl} answered ${status} to the app-management API; try again later.`);
  let body: { settings?: { key?: string; value?: unknown }[] };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new SiteError(`${site.siteUrl} answered the app-management API with something that is not JSON. Is it a Confluence Cloud site?`);
  }
  const developmentMode = body.settings?.find((s) => s.key === 'connectDeveloperListingsEnabled');
  if (developmentMode && developmentMode.value === false) {
    throw new SiteError(
      `${site.siteUrl} does not have development mode on, so it refuses apps installed from a URL. Turn it on in Settings → Apps → Manage apps → ` +
        'Settings → "Enable development mode" (https://developer.atlassian.com/cloud/confluence/getting-started-with-connect/).',
    );
  }
}

/** Resolves with the site's cloud id. */
export async function checkForgeSite(site: ForgeSite, timeoutMs: number): Promise<string> {
  const response = await askSite(site.origin, `${site.origin}/_edge/tenant_info`, { Accept: 'application/json' }, timeoutMs);
  const notCloud = `${site.origin} is not an Atlassian Cloud site`;
  const fix = 'Write your developer site as https://<name>.atlassian.net, the key of "hosts" in credentials.json.';
  if (response.status >= 300 && response.status < 400) {
    throw new SiteError(
      `${notCloud}: /_edge/tenant_info redirected to ${response.headers.get('location') ?? 'another address'} (${response.status}). ${fix}`,
    );
  }
  if (response.status === 404) throw new SiteError(`${notCloud} (no /_edge/tenant_info, 404). ${fix}`);
  if (!response.ok) throw new SiteError(`${site.origin} answered ${response.status} to /_edge/tenant_info; try again later.`);
  let body: { cloudId?: unknown };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new SiteError(`${notCloud}: /_edge/tenant_info is not JSON. ${fix}`);
  }
  if (typeof body.cloudId !== 'string' || !body.cloudId) throw new SiteError(`${notCloud}: /_edge/tenant_info names no cloudId. ${fix}`);
  return body.cloudId;
}

/** GETs `url` of the site at `siteAddress`, naming a site that does not answer in time or cannot be reached. */
async function askSite(siteAddress: string, url: string, headers: Record<string, string>, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : (error as Error).message;
    if ((error as Error).name === 'TimeoutError')
      throw new SiteError(
        `${siteAddress} did not answer within ${timeoutMs / 1000} s. Check the site's address in credentials.json and your connection.`,
      );
    throw new SiteError(`Cannot reach ${siteAddress} (${cause}). Check the site's address in credentials.json and your connection.`);
  }
}
