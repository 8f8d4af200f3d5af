// The emulator's control API as the bench uses it (docs/emulator.md, "Control API"): users,
// pages, context tokens, settings, and the request log that counts Keepsake's Confluence calls.
import type { RequestLogEntry } from '../emulator';
import { json } from './http-json';

/** The log keeps the newest 10,000 entries (emulator/request-log.ts): a count at this size may have lost some. */
export const REQUEST_LOG_CAPACITY = 10_000;

export class EmulatorControl {
  constructor(readonly baseUrl: string) {}

  private url(path: string): string {
    return `${this.baseUrl}/_emulator${path}`;
  }

  async createUser(displayName: string): Promise<string> {
    return (await json<{ accountId: string }>('POST', this.url('/users'), { displayName })).accountId;
  }

  async createPage(title: string): Promise<string> {
    return (await json<{ id: string }>('POST', this.url('/pages'), { spaceKey: 'ENG', title })).id;
  }

  async contextToken(accountId: string): Promise<string> {
    return (await json<{ token: string }>('POST', this.url('/context-token'), { appKey: 'keepsake', accountId })).token;
  }

  async iframeUrl(moduleKey: string, accountId: string, pageId: string): Promise<string> {
    const query = new URLSearchParams({ appKey: 'keepsake', moduleKey, accountId, pageId });
    return (await json<{ url: string }>('GET', this.url(`/iframe-url?${query}`))).url;
  }

  async updateSettings(settings: Record<string, unknown>): Promise<void> {
    await json('PUT', this.url('/settings'), settings);
  }

  /** Delay before every REST call is answered (the `latencyMs` fault; 0 clears it): Confluence across a network. */
  async setLatency(latencyMs: number): Promise<void> {
    await json('POST', this.url('/faults'), { latencyMs });
  }

  async install(descriptorUrl: string): Promise<void> {
    await json('POST', this.url('/apps'), { descriptorUrl });
  }

  async sharedSecret(): Promise<string> {
    return (await json<{ sharedSecret: string }>('GET', this.url('/apps/keepsake'))).sharedSecret;
  }

  /** What an iframe's AP.request would get: how the bench reads app properties as Confluence holds them. */
  async apRequest<T>(accountId: string, method: string, path: string): Promise<T> {
    const reply = await json<{ status: number; json: T }>('POST', this.url('/ap-request'), { appKey: 'keepsake', accountId, method, path });
    if (reply.status >= 300) throw new Error(`AP.request ${method} ${path} → ${reply.status}`);
    return reply.json;
  }

  /** Keepsake's calls to Confluence since the log was last cleared. */
  calls(): Promise<RequestLogEntry[]> {
    return json<RequestLogEntry[]>('GET', this.url('/requests?appKey=keepsake'));
  }

  /** The calls so far, once none has arrived for `quietMs` (a load's queued writes are done). */
  async callsOnceQuiet(quietMs = 500): Promise<RequestLogEntry[]> {
    let seen = await this.calls();
    for (let attempt = 0; attempt < 600; attempt++) {
      await new Promise((r) => setTimeout(r, quietMs));
      const now = await this.calls();
      if (now.length === seen.length) return now;
      seen = now;
    }
    throw new Error('Keepsake kept calling Confluence for 5 minutes after the load');
  }

  async clearCalls(): Promise<void> {
    await json('DELETE', this.url('/requests'));
  }

  /**
   * Waits until Keepsake has made no Confluence call for `quietMs`, then clears the log: writes a
   * load left queued go on after autocannon stops waiting, and would be counted in the next figure.
   */
  async settle(quietMs = 500): Promise<void> {
    for (let attempt = 0; attempt < 600; attempt++) {
      await this.clearCalls();
      await new Promise((r) => setTimeout(r, quietMs));
      if ((await this.calls()).length === 0) return;
    }
    throw new Error('Keepsake kept calling Confluence for 5 minutes after the load');
  }
}

/** A call that writes to Confluence: creates, replaces or deletes a user or app property (a permission check is a POST too, and no write). */
export function isWrite(entry: RequestLogEntry): boolean {
  return entry.method !== 'GET' && /\/propert(y|ies)(\/|$)/.test(entry.path);
}
