/**
 * credentials.json for `npm run dev:tunnel`: the Confluence Cloud developer site, the account
 * and API token that may install apps there, and the ngrok authtoken. It is ACE's own format
 * (atlassian-connect-express lib/internal/config.js), read and checked here so that a mistake is
 * named before anything starts, and turned into the registration URLs ACE's `register()` uses.
 */
import { readFileSync } from 'node:fs';

/** A failure the developer fixes in credentials.json; the message says how. */
export class CredentialsError extends Error {}

export interface SiteCredentials {
  /** The site without credentials, for messages: https://your-site.atlassian.net/wiki */
  siteUrl: string;
  /** What ACE's `config.hosts` holds: the site with the account in it, for UPM's basic auth. */
  registrationUrl: string;
  username: string;
  password: string;
}

export interface TunnelCredentials {
  sites: SiteCredentials[];
  /** Options for `@ngrok/ngrok`'s `forward()` (at least `authtoken`); absent when the developer runs their own tunnel. */
  ngrok?: { authtoken: string } & Record<string, unknown>;
}

const EXAMPLE = 'credentials.example.json';

/** `ownTunnel`: AC_LOCAL_BASE_URL is set, so ACE opens no tunnel and needs no ngrok token. */
export function readCredentials(file: string, { ownTunnel = false } = {}): TunnelCredentials {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CredentialsError(
        `No ${file}. Copy ${EXAMPLE} to credentials.json and fill in your Confluence Cloud developer site, ` +
          'your Atlassian account e-mail, an API token and your ngrok authtoken (docs/development.md, "A real Confluence site").',
      );
    }
    throw new CredentialsError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CredentialsError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(json)) throw new CredentialsError(`${file} must hold a JSON object like ${EXAMPLE}.`);
  const sites = readSites(file, json.hosts);
  return ownTunnel && json.ngrok === undefined ? { sites } : { sites, ngrok: readNgrok(file, json.ngrok) };
}

function readSites(file: string, hosts: unknown): SiteCredentials[] {
  if (!isObject(hosts) || Object.keys(hosts).length === 0) {
    throw new CredentialsError(`${file} names no site: add "hosts": {"https://your-site.atlassian.net": {"product": "confluence", "username": …, "password": …}}.`);
  }
  return Object.entries(hosts).map(([host, entry]) => {
    if (!isObject(entry)) throw new CredentialsError(`${file}: hosts["${host}"] must be an object with "product", "username" and "password".`);
    const { username, password, product } = entry;
    if (product !== undefined && product !== 'confluence') {
      throw new CredentialsError(`${file}: hosts["${host}"].product is ${JSON.stringify(product)}; Keepsake is a Confluence app, so it must be "confluence".`);
    }
    if (typeof username !== 'string' || !username || username.startsWith('<')) {
      throw new CredentialsError(`${file}: hosts["${host}"].username must be the e-mail address of your Atlassian account (a site administrator).`);
    }
    if (typeof password !== 'string' || !password || password.startsWith('<')) {
      throw new CredentialsError(
        `${file}: hosts["${host}"].password must be an API token from https://id.atlassian.com/manage-profile/security/api-tokens (not your password).`,
      );
    }
    const site = siteUrl(file, host);
    const registration = new URL(site);
    registration.username = encodeURIComponent(username);
    registration.password = encodeURIComponent(password);
    return { siteUrl: site, registrationUrl: registration.toString(), username, password };
  });
}

/**
 * The key is the site: `https://your-site.atlassian.net` or the bare host name (https is
 * assumed, as ACE does). Plain http is accepted only for this machine, where tests stand in
 * for a site; Confluence's UPM lives under /wiki.
 */
function siteUrl(file: string, host: string): string {
  let url: URL;
  try {
    url = new URL(/^[a-z]+:\/\//i.test(host) ? host : `https://${host}`);
  } catch {
    throw new CredentialsError(`${file}: "${host}" is not a site address; write it as https://your-site.atlassian.net.`);
  }
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    throw new CredentialsError(`${file}: "${host}" must be an https address (Confluence Cloud sites are https://your-site.atlassian.net).`);
  }
  return `${url.origin}/wiki`;
}

function readNgrok(file: string, ngrok: unknown): NonNullable<TunnelCredentials['ngrok']> {
  if (!isObject(ngrok) || typeof ngrok.authtoken !== 'string' || !ngrok.authtoken || ngrok.authtoken.startsWith('<')) {
    throw new CredentialsError(
      `${file} has no ngrok authtoken: add "ngrok": {"authtoken": "…"} with the token from https://dashboard.ngrok.com/get-started/your-authtoken ` +
        '(or set AC_LOCAL_BASE_URL to the https URL of a tunnel you run yourself).',
    );
  }
  return ngrok as NonNullable<TunnelCredentials['ngrok']>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
