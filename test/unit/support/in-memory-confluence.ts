/**
 * A ConfluenceClient without Confluence: one site's user properties, pages and users in memory,
 * answering with the status codes the emulator documents for them (docs/emulator.md, "User
 * properties": GET 404 when missing, POST 201 or 409 when the key exists, PUT 204 or 404 —
 * PUT never creates — DELETE 204 or 404, keys listed 25 at most per page; "App properties":
 * PUT creates or replaces, the body is the value). Enough of
 * Confluence for the preference service to run on, and a record of every call it made.
 */
import type { ConfluenceCall, ConfluenceClient, ConfluenceReply } from '../../../lib/confluence/client';

interface Page {
  title: string;
  author?: string;
  /** Who may read the page; everyone when unset. */
  readers?: ReadonlySet<string>;
}

const PROPERTY = /^\/rest\/api\/user\/([^/?]+)\/property\/([^/?]+)$/;
const PROPERTY_KEYS = /^\/rest\/api\/user\/([^/?]+)\/property\?start=(\d+)&limit=(\d+)$/;
const PAGE = /^\/rest\/api\/content\/(\d+)\?expand=history$/;
const PERMISSION = /^\/rest\/api\/content\/(\d+)\/permission\/check$/;
const USER = /^\/rest\/api\/user\?accountId=([^&]+)$/;
const APP_PROPERTIES = /^\/rest\/atlassian-connect\/1\/addons\/[^/]+\/properties$/;
const APP_PROPERTY = /^\/rest\/atlassian-connect\/1\/addons\/[^/]+\/properties\/([^/?]+)$/;

export class InMemoryConfluence implements ConfluenceClient {
  /** Every call, in order. */
  readonly calls: ConfluenceCall[] = [];
  /** Each user's properties by key, values as stored. */
  readonly properties = new Map<string, Map<string, unknown>>();
  /** The app's properties by key (one app on the site). */
  readonly appProperties = new Map<string, unknown>();
  readonly pages = new Map<string, Page>();
  readonly displayNames = new Map<string, string>();
  private readonly failures: { matches: (call: ConfluenceCall) => boolean; status: number }[] = [];

  constructor(readonly clientKey = 'unit-site') {}

  /** The next call that matches is answered with `status` instead (once). */
  failNext(matches: (call: ConfluenceCall) => boolean, status: number): void {
    this.failures.push({ matches, status });
  }

  /** A user's properties as stored, by key. */
  propertiesOf(accountId: string): Map<string, unknown> {
    let properties = this.properties.get(accountId);
    if (!properties) this.properties.set(accountId, (properties = new Map()));
    return properties;
  }

  /** Calls made since `mark` (an index into `calls`), as "METHOD path". */
  callsSince(mark: number): string[] {
    return this.calls.slice(mark).map((c) => `${c.method} ${c.path}`);
  }

  async send(call: ConfluenceCall): Promise<ConfluenceReply> {
    this.calls.push(call);
    // Answered on a later turn, as a network call would be: callers' interleavings stay real.
    await new Promise((resolve) => setImmediate(resolve));
    const failure = this.failures.findIndex((f) => f.matches(call));
    if (failure >= 0) return reply(this.failures.splice(failure, 1)[0].status, { message: 'failed on purpose' });
    return this.answer(call);
  }

  private answer({ method, path, body }: ConfluenceCall): ConfluenceReply {
    let match = PROPERTY.exec(path);
    if (match) {
      const properties = this.propertiesOf(decodeURIComponent(match[1]));
      const key = decodeURIComponent(match[2]);
      const value = (body as { value?: unknown } | undefined)?.value;
      switch (method) {
        case 'GET':
          return properties.has(key) ? reply(200, { key, value: structuredClone(properties.get(key)) }) : reply(404);
        case 'POST':
          if (properties.has(key)) return reply(409);
          properties.set(key, structuredClone(value));
          return reply(201);
        case 'PUT':
          if (!properties.has(key)) return reply(404);
          properties.set(key, structuredClone(value));
          return reply(204);
        case 'DELETE':
          return properties.delete(key) ? reply(204) : reply(404);
      }
    }
    match = PROPERTY_KEYS.exec(path);
    if (match && method === 'GET') {
      const keys = [...this.propertiesOf(decodeURIComponent(match[1])).keys()];
      const start = Number(match[2]);
      const limit = Math.min(Number(match[3]), 25);
      return reply(200, { results: keys.slice(start, start + limit).map((key) => ({ key })), start, limit });
    }
    match = PAGE.exec(path);
    if (match && method === 'GET') {
      const page = this.pages.get(match[1]);
      return page ? reply(200, { id: match[1], title: page.title, history: { createdBy: { accountId: page.author } } }) : reply(404);
    }
    match = PERMISSION.exec(path);
    if (match && method === 'POST') {
      const page = this.pages.get(match[1]);
      if (!page) return reply(404);
      const reader = (body as { subject: { identifier: string } }).subject.identifier;
      return reply(200, { hasPermission: !page.readers || page.readers.has(reader) });
    }
    match = USER.exec(path);
    if (match && method === 'GET') {
      const name = this.displayNames.get(decodeURIComponent(match[1]));
      return name === undefined ? reply(404) : reply(200, { displayName: name });
    }
    if (APP_PROPERTIES.test(path) && method === 'GET') return reply(200, { keys: [...this.appProperties.keys()].map((key) => ({ key })) });
    match = APP_PROPERTY.exec(path);
    if (match) {
      const key = decodeURIComponent(match[1]);
      switch (method) {
        case 'GET':
          return this.appProperties.has(key) ? reply(200, { key, value: structuredClone(this.appProperties.get(key)) }) : reply(404);
        case 'PUT': {
          const existed = this.appProperties.has(key);
          this.appProperties.set(key, structuredClone(body));
          return existed
            ? reply(200, { message: 'Property updated.', statusCode: 200 })
            : reply(201, { message: 'Property created.', statusCode: 201 });
        }
        case 'DELETE':
          return this.appProperties.delete(key) ? reply(204) : reply(404);
      }
    }
    return reply(404, { message: `no such resource in the fake: ${method} ${path}` });
  }
}

function reply(status: number, body?: unknown): ConfluenceReply {
  return { status, body, headers: {} };
}
