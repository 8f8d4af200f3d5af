/**
 * Calls to one site's Confluence, signed the Connect way. As the app: an HS256 JWT with the
 * install's shared secret and the call's query-string hash, signed here with atlassian-jwt —
 * the token ACE's httpClient would make, without its per-call install-record read and its
 * deprecated `request` stack (they cost more CPU than the rest of a write). As a user: through
 * ACE's httpClient with the user's OAuth bearer token (ACE's impersonation; the token server is
 * oauth-server.ts's). Retries, timeouts and errors are the Confluence client's.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { AddOn, ClientInfo, HostClient } from 'atlassian-connect-express';
import { SymmetricAlgorithm, createQueryStringHash, encodeSymmetric, fromMethodAndUrl } from 'atlassian-jwt';
import type { InstallRecord, InstallRecords } from '../../lib/sites/install-records';
import {
  SigningFailure,
  type Acting,
  type ConfluenceTransport,
  type TransportRequest,
  type TransportResponse,
} from '../../lib/confluence/transport';

/** Connections to Confluence are kept open between calls, as ACE's `request` stack keeps them. */
const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

/** How long an app token is valid: ACE's default (config `jwt.validityInMinutes`). */
const TOKEN_VALIDITY_S = 180;

export class AceTransport implements ConfluenceTransport {
  constructor(
    private readonly addon: AddOn,
    private readonly clientKey: string,
    private readonly installs: InstallRecords,
  ) {}

  async send(request: TransportRequest): Promise<TransportResponse> {
    if (request.acting.as === 'app') return this.sendAsApp(request);
    const client = this.http(request.acting);
    // ACE reports a refused OAuth token like a network failure; asking for it first (ACE keeps
    // it, so the call below reuses it) tells the two apart.
    if (request.acting.as === 'user') await this.userToken(client);
    const options = {
      url: request.path,
      timeout: request.timeoutMs,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
    };
    const verb = { GET: client.get, POST: client.post, PUT: client.put, DELETE: client.del }[request.method];
    return new Promise<TransportResponse>((resolve, reject) => {
      // ACE resolves its promise with the request object, not the response: only the
      // callback sees the response (docs/platform-facts.md §10). A failure to sign (for example
      // no token from the OAuth server) rejects the promise instead.
      const pending = verb.call(client, options, (err: unknown, res: IncomingMessage, body: unknown) => {
        if (err) return reject(err instanceof Error ? err : new Error(typeof err === 'string' ? err : JSON.stringify(err)));
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: typeof body === 'string' ? body : '' });
      });
      Promise.resolve(pending).catch(reject);
    });
  }

  /**
   * Signs with the install record (kept for a moment by InstallRecords). A 401 may mean a
   * reinstall through another instance changed the secret since: asked again once, fresh.
   */
  private async sendAsApp(request: TransportRequest): Promise<TransportResponse> {
    const kept = await this.install();
    const response = await this.sendSigned(request, kept);
    if (response.status !== 401) return response;
    const fresh = await this.install({ fresh: true });
    return fresh.sharedSecret === kept.sharedSecret ? response : this.sendSigned(request, fresh);
  }

  private async install(options: { fresh?: boolean } = {}): Promise<InstallRecord> {
    const install = await this.installs.get(this.clientKey, options).catch((error: unknown) => {
      throw new SigningFailure(error);
    });
    if (!install) throw new SigningFailure(new Error('no install record for this site'));
    return install;
  }

  private sendSigned(request: TransportRequest, install: InstallRecord): Promise<TransportResponse> {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: this.addon.key,
      iat: now,
      exp: now + TOKEN_VALIDITY_S,
      aud: [this.clientKey],
      // The hash covers the path relative to the site's baseUrl (/wiki), as ACE's does.
      qsh: createQueryStringHash(fromMethodAndUrl(request.method, request.path)),
    };
    const url = new URL(install.baseUrl.replace(/\/$/, '') + request.path);
    const headers = {
      ...request.headers,
      'User-Agent': `${this.addon.config.userAgent()} ${this.addon.key}`,
      Authorization: `JWT ${encodeSymmetric(claims, install.sharedSecret, SymmetricAlgorithm.HS256)}`,
      ...(request.body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(request.body)) }),
    };
    const agent = agents[url.protocol as keyof typeof agents];
    if (!agent) return Promise.reject(new SigningFailure(new Error(`the site's baseUrl is not http(s): ${install.baseUrl}`)));
    return new Promise<TransportResponse>((resolve, reject) => {
      const sent = (url.protocol === 'https:' ? https : http).request(url, { method: request.method, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      });
      sent.setTimeout(request.timeoutMs, () => sent.destroy(new Error(`no answer within ${request.timeoutMs} ms`)));
      sent.on('error', reject);
      sent.end(request.body);
    });
  }

  private http(acting: Acting): HostClient {
    return acting.as === 'user'
      ? this.addon.httpClient({ clientKey: this.clientKey, userAccountId: acting.accountId })
      : this.addon.httpClient({ clientKey: this.clientKey });
  }

  /** Keepsake could not act as the user: no install record, or no token from the OAuth server. Nothing was sent. */
  private async userToken(client: HostClient): Promise<void> {
    try {
      const info = await this.addon.settings.get<ClientInfo | null>('clientInfo', this.clientKey);
      if (!info) throw new Error('no install record for this site');
      await client.getUserBearerToken([], info);
    } catch (error) {
      throw new SigningFailure(error);
    }
  }
}
