/**
 * credentials.json for `npm run dev:tunnel`: the Confluence Cloud developer site and the ngrok
 * authtoken, and for the descriptor-URL loop (`--connect`) the account and API token that may
 * install apps there. It is ACE's own format (atlassian-connect-express
 * lib/internal/config.js), read and checked here so that a mistake is named before anything
 * starts: readCredentials() for `--connect` (the registration URLs ACE's `register()` uses),
 * readForgeCredentials() for the Connect-on-Forge loop (the site only: the Forge CLI has its own
 * credentials).
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
  ngrok?: NgrokOptions;
}

export type NgrokOptions = { authtoken: string } & Record<string, unknown>;

/** A site of the Connect-on-Forge loop: where `forge install --site` installs. */
export interface ForgeSite {
  /** https://your-site.atlassian.net */
  origin: string;
  /** your-site.atlassian.net, as `forge install --site` takes it. */
  host: string;
  /** https://your-site.atlassian.net/wiki, for links. */
  siteUrl: string;
}

export interface ForgeTunnelCredentials {
  sites: ForgeSite[];
  ngrok?: NgrokOptions;
}

const EXAMPLE = 'credentials.example.json';

/** The host of credentials.example.json's site: a placeholder, never a real site. */
const EXAMPLE_HOST = 'your-site.atlassian.net';

/** `ownTunnel`: AC_LOCAL_BASE_URL is set, so ACE opens no tunnel and needs no ngrok token. */
export function readCredentials(file: string, { ownTunnel = false } = {}): TunnelCredentials {
  const json = readJson(
    file,
    `No ${file}. Copy ${EXAMPLE} to credentials.json and fill in your Confluence Cloud developer site, ` +
      'your Atlassian account e-mail, an API token and your ngrok authtoken (docs/development.md, "npm run dev:tunnel -- --connect").',
  );
  const sites = readSites(file, json.hosts);
  return ownTunnel && json.ngrok === undefined ? { sites } : { sites, ngrok: readNgrok(file, json.ngrok) };
}

/**
 * The Connect-on-Forge loop's reading: each site of `hosts` (its "username" and "password" are
 * not needed: `forge` signs in with `forge login` or FORGE_EMAIL/FORGE_API_TOKEN), and the
 * ngrok options unless `ownTunnel`.
 */
export function readForgeCredentials(file: string, { ownTunnel = false } = {}): ForgeTunnelCredentials {
  const json = readJson(
    file,
    `No ${file}. Copy ${EXAMPLE} to credentials.json, write your Confluence Cloud developer site as the key of "hosts" ` +
      'and your ngrok authtoken under "ngrok" (the "username" and "password" there are used only by --connect; docs/development.md, "npm run dev:tunnel").',
  );
  const hosts = json.hosts;
  if (!isObject(hosts) || Object.keys(hosts).length === 0) {
    throw new CredentialsError(
      `${file} names no site: add "hosts": {"https://your-site.atlassian.net": {"product": "confluence"}} with your developer site.`,
    );
  }
  const sites = Object.entries(hosts).map(([host, entry]) => {
    if (!isObject(entry)) throw new CredentialsError(`${file}: hosts["${host}"] must be an object, e.g. {"product": "confluence"}.`);
    checkProduct(file, host, entry.product);
    const url = siteOrigin(file, host);
    if (url.hostname === EXAMPLE_HOST) {
      throw new CredentialsError(
        `${file} still names the example site ${url.origin}: write your own developer site (https://<name>.atlassian.net) as the key of "hosts".`,
      );
    }
    return { origin: url.origin, host: url.host, siteUrl: `${url.origin}/wiki` };
  });
  return ownTunnel && json.ngrok === undefined ? { sites } : { sites, ngrok: readNgrok(file, json.ngrok) };
}

function readJson(file: string, missing: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new CredentialsError(missing);
    throw new CredentialsError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CredentialsError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(json)) throw new CredentialsError(`${file} must hold a JSON object like ${EXAMPLE}.`);
  return json;
}

function checkProduct(file: string, host: string, product: unknown): void {
  if (product !== undefined && product !== 'confluence') {
    throw new CredentialsError(
      `${file}: hosts["${host}"].product is ${JSON.stringify(product)}; Keepsake is a Confluence app, so it must be "confluence".`,
    );
  }
}

function readSites(file: string, hosts: unknown): SiteCredentials[] {
  if (!isObject(hosts) || Object.keys(hosts).length === 0) {
    throw new CredentialsError(
      `${file} names no site: add "hosts": {"https://your-site.atlassian.net": {"product": "confluence", "username": …, "password": …}}.`,
    );
  }
  return Object.entries(hosts).map(([host, entry]) => {
    if (!isObject(entry))
      throw new CredentialsError(`${file}: hosts["${host}"] must be an object with "product", "username" and "password".`);
    const { username, password, product } = entry;
    checkProduct(file, host, product);
    if (typeof username !== 'string' || !username || username.startsWith('<')) {
      throw new CredentialsError(
        `${file}: hosts["${host}"].username must be the e-mail address of your Atlassian account (a site administrator).`,
      );
    }
    if (typeof password !== 'string' || !password || password.startsWith('<')) {
      throw new CredentialsError(
        `${file}: hosts["${host}"].password must be an API token from https://id.atlassian.com/manage-profile/security/api-tokens (not your password).`,
      );
    }
    const site = `${siteOrigin(file, host).origin}/wiki`;
    const registration = new URL(site);
    registration.username = encodeURIComponent(username);
    registration.password = encodeURIComponent(password);
    return { siteUrl: site, registrationUrl: registration.toString(), username, password };
  });
}

/**
 * The key is the site: `https://your-site.atlassian.net` or the bare host name (https is
 * assumed, as ACE does). Plain http is accepted only for this machine, where tests stand in
 * for a site. Confluence (and its UPM) lives under the origin's /wiki.
 */
function siteOrigin(file: string, host: string): URL {
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
  return url;
}

function readNgrok(file: string, ngrok: unknown): NgrokOptions {
  if (!isObject(ngrok) || typeof ngrok.authtoken !== 'string' || !ngrok.authtoken || ngrok.authtoken.startsWith('<')) {
    throw new CredentialsError(
      `${file} has no ngrok authtoken: add "ngrok": {"authtoken": "…"} with the token from https://dashboard.ngrok.com/get-started/your-authtoken ` +
        '(or set AC_LOCAL_BASE_URL to the https URL of a tunnel you run yourself).',
    );
  }
  return ngrok as NgrokOptions;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
